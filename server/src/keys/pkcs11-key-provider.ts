/**
 * A KeyProvider backed by a PKCS#11 token (an HSM; SoftHSM2 in tests). Each KEK version is
 * an AES-256 secret-key object on the token, labelled `anode:<keyId>:v<version>`, generated
 * there with CKA_SENSITIVE and without CKA_EXTRACTABLE: its bytes never leave the token.
 * A data key is wrapped by encrypting it on the token with CKM_AES_GCM (random 96-bit IV,
 * the label as additional authenticated data, so a wrapped key moved onto another key id
 * or version fails to unwrap).
 *
 * Wrapped format: version byte (1) | 12-byte IV | ciphertext | 16-byte GCM tag.
 *
 * pkcs11js calls are synchronous and run to completion on the event-loop thread, so one
 * logged-in session is never used by two operations at once.
 */
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import type * as Pkcs11Module from 'pkcs11js';
import { KeyError } from './errors.js';
import type { KeyProvider } from './key-provider.js';

const require = createRequire(import.meta.url);

export const DEFAULT_PKCS11_MODULE = '/usr/lib/softhsm/libsofthsm2.so';

const FORMAT = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

export interface Pkcs11Options {
  /** Path of the PKCS#11 module (.so). */
  module: string;
  /** Slot id; used when tokenLabel is empty. */
  slot: number | null;
  /** Token label (wins over slot when set). */
  tokenLabel: string;
  /** The user PIN. Never logged, never put in an error message. */
  pin: string;
}

/** The label of a KEK version's key object on the token. */
export function kekLabel(keyId: string, version: number): string {
  return `anode:${keyId}:v${version}`;
}

type Pkcs11Js = typeof Pkcs11Module;
type Handle = Buffer;

/** Codes that mean the token or session went away (reopen once, then: unavailable). */
const GONE = new Set([
  'CKR_SESSION_HANDLE_INVALID',
  'CKR_SESSION_CLOSED',
  'CKR_DEVICE_REMOVED',
  'CKR_DEVICE_ERROR',
  'CKR_TOKEN_NOT_PRESENT',
  'CKR_TOKEN_NOT_RECOGNIZED',
  'CKR_SLOT_ID_INVALID',
  'CKR_USER_NOT_LOGGED_IN',
  'CKR_CRYPTOKI_NOT_INITIALIZED',
  'CKR_OBJECT_HANDLE_INVALID',
  'CKR_KEY_HANDLE_INVALID',
]);

function ckrOf(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return /CKR_[A-Z_]+/.exec(message)?.[0] ?? 'unknown';
}

function unavailable(what: string, err?: unknown): KeyError {
  const code = err === undefined ? '' : ` (${ckrOf(err)})`;
  return new KeyError('KeyProviderUnavailable', { message: `PKCS#11 key provider unavailable: ${what}${code}`, cause: err });
}

export class Pkcs11KeyProvider implements KeyProvider {
  readonly kind = 'pkcs11';
  readonly #lib: Pkcs11Js;
  readonly #options: Pkcs11Options;
  #p11: InstanceType<Pkcs11Js['PKCS11']> | null = null;
  #session: Handle | null = null;
  readonly #handles = new Map<string, Handle>();

  private constructor(lib: Pkcs11Js, options: Pkcs11Options) {
    this.#lib = lib;
    this.#options = options;
  }

  /** Loads the module, finds the token and logs in; KeyProviderUnavailable when any step fails. */
  static async open(options: Pkcs11Options): Promise<Pkcs11KeyProvider> {
    let lib: Pkcs11Js;
    try {
      lib = require('pkcs11js') as Pkcs11Js;
    } catch (err) {
      throw unavailable('the pkcs11js binding is not installed', err);
    }
    const provider = new Pkcs11KeyProvider(lib, options);
    provider.#connect();
    return provider;
  }

  #connect(): void {
    const lib = this.#lib;
    const p11 = new lib.PKCS11();
    try {
      p11.load(this.#options.module);
    } catch (err) {
      throw unavailable(`cannot load module ${this.#options.module}`, err);
    }
    try {
      p11.C_Initialize();
    } catch (err) {
      if (ckrOf(err) !== 'CKR_CRYPTOKI_ALREADY_INITIALIZED') {
        this.#unload(p11);
        throw unavailable('C_Initialize failed', err);
      }
    }
    try {
      const slot = this.#findSlot(p11);
      const session = p11.C_OpenSession(slot, lib.CKF_SERIAL_SESSION | lib.CKF_RW_SESSION);
      try {
        p11.C_Login(session, lib.CKU_USER, this.#options.pin);
      } catch (err) {
        if (ckrOf(err) !== 'CKR_USER_ALREADY_LOGGED_IN') {
          p11.C_CloseSession(session);
          const code = ckrOf(err);
          throw unavailable(
            code === 'CKR_PIN_INCORRECT' || code === 'CKR_PIN_LOCKED' ? 'login refused (check the PIN)' : 'login failed',
            err,
          );
        }
      }
      this.#p11 = p11;
      this.#session = session;
      this.#handles.clear();
    } catch (err) {
      this.#finalize(p11);
      if (err instanceof KeyError) throw err;
      throw unavailable('cannot open a session on the token', err);
    }
  }

  #findSlot(p11: InstanceType<Pkcs11Js['PKCS11']>): Handle {
    const slots = p11.C_GetSlotList(true);
    const { tokenLabel, slot } = this.#options;
    if (tokenLabel !== '') {
      for (const s of slots) {
        if (p11.C_GetTokenInfo(s).label.trimEnd() === tokenLabel) return s;
      }
      throw unavailable(`no token labelled "${tokenLabel}"`);
    }
    if (slot !== null) {
      for (const s of slots) if (s.readUIntLE(0, s.length) === slot) return s;
      throw unavailable(`no token in slot ${slot}`);
    }
    const first = slots[0];
    if (first === undefined) throw unavailable('no token present');
    return first;
  }

  #unload(p11: InstanceType<Pkcs11Js['PKCS11']>): void {
    try {
      p11.close();
    } catch {
      // already unloaded
    }
  }

  #finalize(p11: InstanceType<Pkcs11Js['PKCS11']>): void {
    try {
      p11.C_Finalize();
    } catch {
      // not initialized or already finalized
    }
    this.#unload(p11);
  }

  /** Drops the session (and the module) so the next call reconnects. */
  #drop(): void {
    const p11 = this.#p11;
    this.#p11 = null;
    this.#session = null;
    this.#handles.clear();
    if (p11 !== null) this.#finalize(p11);
  }

  /**
   * Runs `fn` on a live session; a session or token that went away is reopened once, and
   * a second failure is KeyProviderUnavailable. Other PKCS#11 errors go to `onError`.
   */
  #run<T>(fn: (p11: InstanceType<Pkcs11Js['PKCS11']>, session: Handle) => T, onError: (err: unknown) => KeyError): T {
    for (let attempt = 0; ; attempt++) {
      if (this.#p11 === null || this.#session === null) this.#connect();
      try {
        return fn(this.#p11!, this.#session!);
      } catch (err) {
        if (err instanceof KeyError) throw err;
        if (!GONE.has(ckrOf(err))) throw onError(err);
        this.#drop();
        if (attempt >= 1) throw unavailable('the token stopped answering', err);
      }
    }
  }

  #find(p11: InstanceType<Pkcs11Js['PKCS11']>, session: Handle, label: string): Handle | null {
    const cached = this.#handles.get(label);
    if (cached !== undefined) return cached;
    const lib = this.#lib;
    p11.C_FindObjectsInit(session, [
      { type: lib.CKA_CLASS, value: lib.CKO_SECRET_KEY },
      { type: lib.CKA_LABEL, value: label },
    ]);
    let found: Handle | null;
    try {
      found = p11.C_FindObjects(session);
    } finally {
      p11.C_FindObjectsFinal(session);
    }
    if (found !== null) this.#handles.set(label, found);
    return found;
  }

  #mechanism(iv: Buffer, label: string): Pkcs11Module.Mechanism {
    const lib = this.#lib;
    const parameter: Pkcs11Module.GcmParams = {
      type: lib.CK_PARAMS_AES_GCM,
      iv,
      aad: Buffer.from(label, 'utf8'),
      ivBits: IV_BYTES * 8,
      tagBits: TAG_BYTES * 8,
    };
    return { mechanism: lib.CKM_AES_GCM, parameter };
  }

  async createVersion(keyId: string, version: number): Promise<void> {
    const label = kekLabel(keyId, version);
    const lib = this.#lib;
    this.#run(
      (p11, session) => {
        if (this.#find(p11, session, label) !== null) return; // already there: idempotent
        const handle = p11.C_GenerateKey(session, { mechanism: lib.CKM_AES_KEY_GEN }, [
          { type: lib.CKA_CLASS, value: lib.CKO_SECRET_KEY },
          { type: lib.CKA_KEY_TYPE, value: lib.CKK_AES },
          { type: lib.CKA_VALUE_LEN, value: KEY_BYTES },
          { type: lib.CKA_LABEL, value: label },
          { type: lib.CKA_TOKEN, value: true },
          { type: lib.CKA_PRIVATE, value: true },
          { type: lib.CKA_SENSITIVE, value: true },
          { type: lib.CKA_EXTRACTABLE, value: false },
          { type: lib.CKA_ENCRYPT, value: true },
          { type: lib.CKA_DECRYPT, value: true },
          { type: lib.CKA_WRAP, value: false },
          { type: lib.CKA_UNWRAP, value: false },
        ]);
        this.#handles.set(label, handle);
      },
      (err) => unavailable(`cannot generate ${label}`, err),
    );
  }

  async wrap(keyId: string, version: number, dataKey: Buffer): Promise<Buffer> {
    const label = kekLabel(keyId, version);
    const iv = randomBytes(IV_BYTES);
    const body = this.#run(
      (p11, session) => {
        const key = this.#find(p11, session, label);
        if (key === null) throw new KeyError('KeyNotFound', { message: `key ${keyId} version ${version} is not on the token` });
        p11.C_EncryptInit(session, this.#mechanism(iv, label), key);
        return Buffer.from(p11.C_Encrypt(session, dataKey, Buffer.alloc(dataKey.length + TAG_BYTES + 16)));
      },
      (err) => unavailable(`cannot wrap under ${label}`, err),
    );
    return Buffer.concat([Buffer.from([FORMAT]), iv, body]);
  }

  async unwrap(keyId: string, version: number, wrapped: Buffer): Promise<Buffer> {
    const label = kekLabel(keyId, version);
    if (wrapped.length < 1 + IV_BYTES + TAG_BYTES || wrapped[0] !== FORMAT) {
      throw new KeyError('KeyUnwrapFailed', { message: 'wrapped key is malformed' });
    }
    const iv = wrapped.subarray(1, 1 + IV_BYTES);
    const body = wrapped.subarray(1 + IV_BYTES);
    return this.#run(
      (p11, session) => {
        const key = this.#find(p11, session, label);
        if (key === null) throw new KeyError('KeyNotFound', { message: `key ${keyId} version ${version} is not on the token` });
        p11.C_DecryptInit(session, this.#mechanism(iv, label), key);
        return Buffer.from(p11.C_Decrypt(session, body, Buffer.alloc(body.length)));
      },
      // Wrong key, altered bytes or a wrapped key moved to another label: GCM cannot tell which.
      (err) => new KeyError('KeyUnwrapFailed', { message: `cannot unwrap under ${label}`, cause: err }),
    );
  }

  async check(): Promise<void> {
    this.#run(
      (p11, session) => {
        p11.C_GetSessionInfo(session);
        // Probing for an object makes the token itself answer, not just the library.
        this.#handles.clear();
        this.#find(p11, session, kekLabel('default', 1));
      },
      (err) => unavailable('token check failed', err),
    );
  }

  async close(): Promise<void> {
    const p11 = this.#p11;
    const session = this.#session;
    if (p11 !== null && session !== null) {
      try {
        p11.C_Logout(session);
        p11.C_CloseSession(session);
      } catch {
        // the token is gone already
      }
    }
    this.#drop();
  }
}
