export { encode, EtfEncoder, type EncodeOptions } from './encode.js';
export { decode, EtfDecoder, type DecodeOptions } from './decode.js';
export { Tag } from './tags.js';
export { EtfStreamDecoder } from './stream.js';
export { termLength, TermScanner } from './scan.js';
export { decodeAsync, ASYNC_INFLATE_MIN } from './async.js';
