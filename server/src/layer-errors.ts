/**
 * Every typed error the lower layers (auth/, policy/, http/, util/, keys/) throw toward the
 * planes. Each plane maps a LayerError to its own wire error at its edge, through a table
 * keyed by LayerErrorCode, so a new code fails the type-check until both planes map it.
 */
import { SigV4Error } from './auth/sigv4/errors.js';
import { TargetError } from './http/target-errors.js';
import { KeyError } from './keys/errors.js';
import { PolicyError } from './policy/errors.js';
import { ChecksumError } from './util/checksum-errors.js';
import { XmlParseError } from './util/xml-parse.js';

/** The one list of layer error classes: the LayerError type and the guard both come from it. */
const LAYER_ERROR_CLASSES = [SigV4Error, PolicyError, TargetError, ChecksumError, XmlParseError, KeyError] as const;

export type LayerError = InstanceType<(typeof LAYER_ERROR_CLASSES)[number]>;
export type LayerErrorCode = LayerError['code'];

export function isLayerError(err: unknown): err is LayerError {
  return LAYER_ERROR_CLASSES.some((c) => err instanceof c);
}
