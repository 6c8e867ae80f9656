// Integration: the demo images exist after a build, carry the seeds' names, and
// the names the scenarios expect to be missing stay missing.
import { buildDemoImages, demoBaseImage, demoImageUnhealthy, demoImageV1, demoImageV2, demoImageV3, missingImages } from '../../src/demo/images.js';
import { docker, ensureDemoImages } from './support.js';

const idOf = async (name: string) => (await docker.getImage(name).inspect()).Id;

beforeAll(async () => {
  await ensureDemoImages();
});

describe('demo images', () => {
  it('are built FROM scratch with busybox, serving with a HEALTHCHECK every second (3 s timeout)', async () => {
    const base = await docker.getImage(demoBaseImage).inspect();
    expect(base.Os).toBe('linux');
    for (const name of [demoImageV1, demoImageV2, demoImageV3, demoImageUnhealthy]) {
      const info = await docker.getImage(name).inspect();
      expect(info.Config.Cmd).toEqual(['/serve.sh']);
      expect(info.Config.Healthcheck).toMatchObject({ Interval: 1e9, Timeout: 3e9, Retries: 2 });
    }
    expect((await docker.getImage(demoImageUnhealthy).inspect()).Config.Healthcheck?.Test).toEqual(['CMD-SHELL', 'false']);
  });

  it('tag the seeds names onto the same images', async () => {
    expect(await idOf('hashicorp/demo-webapp:v1')).toBe(await idOf(demoImageV1));
    expect(await idOf('geo-api-server:0.1')).toBe(await idOf(demoImageV1));
    expect(await idOf('hashicorp/demo-webapp:v2')).toBe(await idOf(demoImageV2));
    expect(await idOf('geo-api-server:0.2')).toBe(await idOf(demoImageV2));
    expect(new Set(await Promise.all([demoImageV1, demoImageV2, demoImageV3, demoImageUnhealthy].map(idOf))).size).toBe(4);
  });

  it('leave the broken references missing', async () => {
    for (const name of missingImages) {
      await expect(docker.getImage(name).inspect()).rejects.toMatchObject({ statusCode: 404 });
    }
  });

  it('are not built again when they exist', async () => {
    const started = Date.now();
    expect(await buildDemoImages(docker)).toEqual({ built: [], tagged: [] });
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
