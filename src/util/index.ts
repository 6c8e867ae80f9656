// src/util's public surface: what other folders may use.
export { formatDuration, parseDuration } from './duration.js';
export { EventBus } from './event-bus.js';
export { isLoopbackHost } from './loopback.js';
export { DirectoryError, makeDirectory } from './make-directory.js';
export { hasOwn } from './own.js';
export { packageRoot, packageVersion } from './package-root.js';
export { setPlainKey } from './plain-object.js';
export { timerDelay } from './timer-delay.js';
