// The dashboard's stylesheet and script, served from memory: no build step, no CDN.
// The script only adds live updates; every page reads and every button works without it.

export const stylesheet = `
:root { color-scheme: light; --ok: #1a7f37; --bad: #cf222e; --wait: #bf8700; --off: #8c959f; --line: #d0d7de; }
body { font: 14px/1.45 system-ui, sans-serif; margin: 0 auto; max-width: 1100px; padding: 0 16px 40px; color: #1f2328; }
header { display: flex; justify-content: space-between; align-items: center; border-bottom: 1px solid var(--line); padding: 10px 0; margin-bottom: 8px; }
.brand { font-weight: 700; font-size: 18px; color: inherit; text-decoration: none; }
a { color: #0969da; }
h1 { font-size: 22px; margin: 12px 0; } h2 { font-size: 17px; margin: 22px 0 8px; } h3 { font-size: 14px; }
table { border-collapse: collapse; width: 100%; margin: 6px 0; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-weight: 600; background: #f6f8fa; }
tr.stopped { color: var(--off); }
.sync-state.synced { color: var(--ok); } .sync-state.out-of-sync, .sync-state.degraded { color: var(--bad); } .sync-state.progressing { color: var(--wait); }
code { font: 12px ui-monospace, monospace; }
.status, .dep, .health, .tag, .sync-state { display: inline-block; padding: 0 6px; border-radius: 10px; font-size: 12px; border: 1px solid currentColor; }
.running, .successful, .healthy { color: var(--ok); }
.failed, .dead, .unhealthy, .cancelled { color: var(--bad); }
.pending, .paused { color: var(--wait); }
.stopped { color: var(--off); }
.error { color: var(--bad); } .ok { color: var(--ok); }
.notice { background: #dafbe1; padding: 6px 10px; border-radius: 6px; }
p.error { background: #ffebe9; padding: 6px 10px; border-radius: 6px; }
.problems code.where { font-weight: 700; margin-right: 4px; }
dl { display: grid; grid-template-columns: max-content auto; gap: 2px 14px; } dd { margin: 0; }
svg.timeline { display: block; max-width: 100%; height: auto; margin: 8px 0; font: 11px system-ui, sans-serif; }
svg.timeline .axis { fill: #57606a; }
svg.timeline line.batch { stroke: #8c959f; stroke-dasharray: 3 3; }
svg.timeline .healthy rect { fill: var(--ok); } svg.timeline .unhealthy rect { fill: var(--bad); }
svg.timeline .pending rect { fill: var(--wait); } svg.timeline .stopped rect { fill: var(--off); }
svg.timeline .old rect { fill: #d0d7de; } svg.timeline .old text { fill: #57606a; }
pre.diff { background: #f6f8fa; padding: 8px; overflow: auto; font-size: 12px; }
pre.diff .add { color: var(--ok); } pre.diff .del { color: var(--bad); } pre.diff .edit { color: var(--wait); }
button { font: inherit; padding: 4px 12px; border-radius: 6px; border: 1px solid var(--line); background: #f6f8fa; cursor: pointer; }
button.primary { background: var(--ok); color: white; border-color: var(--ok); }
form.logout, form.revert, form.promote { margin: 6px 0; }
.login form { display: flex; gap: 8px; align-items: end; } .login input { font: inherit; padding: 4px; }
`;

/**
 * Live updates: the page's \`#live\` part names an event stream and a URL that draws
 * that part again; each event redraws it (one request at a time, the last event wins).
 * The API reads the sign-in cookie for GETs, so EventSource needs no header.
 */
export const script = `
(() => {
  const live = document.getElementById('live');
  if (!live || !live.dataset.events || !window.EventSource) return;
  let busy = false, again = false;
  const redraw = async () => {
    if (busy) { again = true; return; }
    busy = true;
    try {
      const answer = await fetch(live.dataset.part, { credentials: 'same-origin', headers: { accept: 'text/html' } });
      if (answer.ok) { live.innerHTML = await answer.text(); live.dataset.redraws = String(Number(live.dataset.redraws || 0) + 1); }
    } finally {
      busy = false;
      if (again) { again = false; redraw(); }
    }
  };
  const source = new EventSource(live.dataset.events);
  source.onopen = () => { live.dataset.stream = 'open'; };
  source.onerror = () => { live.dataset.stream = 'reconnecting'; };
  for (const type of ['deployment', 'allocation', 'version', 'job', 'drift']) source.addEventListener(type, redraw);
  addEventListener('pagehide', () => source.close());
})();
`;
