/**
 * The two framework types with their own MarshalEDF (ergo gen/network.go): on the wire their
 * body is a u32 length and these bytes, not their fields.
 */
import type { CustomCodec } from './types.js';

type NetworkFlagsInit = Partial<Omit<NetworkFlags, 'bits'>>;

/** `gen.NetworkFlags`: a u64 bit set, 8 bytes. */
export class NetworkFlags {
  Enable = false;
  EnableRemoteSpawn = false;
  EnableRemoteApplicationStart = false;
  EnableFragmentation = false;
  EnableProxyTransit = false;
  EnableProxyAccept = false;
  EnableImportantDelivery = false;

  constructor(init?: NetworkFlagsInit) {
    if (init) Object.assign(this, init);
  }

  /** The bit set Go writes: 0 when Enable is false (the other flags are then not sent). */
  get bits(): number {
    if (!this.Enable) return 0;
    return (
      1 |
      (this.EnableRemoteSpawn ? 2 : 0) |
      (this.EnableRemoteApplicationStart ? 4 : 0) |
      (this.EnableFragmentation ? 8 : 0) |
      (this.EnableProxyTransit ? 16 : 0) |
      (this.EnableProxyAccept ? 32 : 0) |
      (this.EnableImportantDelivery ? 64 : 0)
    );
  }

  /** Go's UnmarshalEDF: every flag false unless bit 1 (Enable) is set; higher bits ignored. */
  static fromBits(bits: number): NetworkFlags {
    const f = new NetworkFlags();
    if ((bits & 1) === 0) return f;
    f.Enable = true;
    f.EnableRemoteSpawn = (bits & 2) !== 0;
    f.EnableRemoteApplicationStart = (bits & 4) !== 0;
    f.EnableFragmentation = (bits & 8) !== 0;
    f.EnableProxyTransit = (bits & 16) !== 0;
    f.EnableProxyAccept = (bits & 32) !== 0;
    f.EnableImportantDelivery = (bits & 64) !== 0;
    return f;
  }
}

export const networkFlagsCodec: CustomCodec<NetworkFlags> = {
  encode(v: NetworkFlags): Uint8Array {
    const bits = v instanceof NetworkFlags ? v.bits : new NetworkFlags(v).bits;
    const out = new Uint8Array(8);
    out[4] = bits >>> 24;
    out[5] = bits >>> 16;
    out[6] = bits >>> 8;
    out[7] = bits;
    return out;
  },
  decode(b: Uint8Array): NetworkFlags {
    if (b.length < 8) throw new Error('unable to unmarshal NetworkFlags');
    // Only the low 7 bits mean anything; they sit in the last byte of the big-endian u64.
    return NetworkFlags.fromBits(b[7]!);
  },
  zero: () => new NetworkFlags(),
  cls: NetworkFlags,
};

/** `gen.NetworkProxyFlags`: Go's MarshalEDF writes nothing yet (an upstream TODO), so neither do we. */
export class NetworkProxyFlags {
  Enable = false;
  EnableRemoteSpawn = false;
  EnableRemoteApplicationStart = false;
  EnableEncryption = false;
  EnableImportantDelivery = false;

  constructor(init?: Partial<NetworkProxyFlags>) {
    if (init) Object.assign(this, init);
  }
}

export const networkProxyFlagsCodec: CustomCodec<NetworkProxyFlags> = {
  encode: () => new Uint8Array(0),
  // Any payload is accepted and ignored (Go's UnmarshalEDF is a no-op), so a future Go that
  // starts writing bytes here still decodes.
  decode: () => new NetworkProxyFlags(),
  zero: () => new NetworkProxyFlags(),
  cls: NetworkProxyFlags,
};
