// Explicit exports: the package surface is what is listed here, nothing by accident.
export { AnodeError } from './errors.js';
export { MAX_KEY_BYTES, bucketNameProblem, keyByteLength } from './names.js';
