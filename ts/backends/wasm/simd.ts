/**
 * A module of one function, `() -> v128 { i8x16.splat(i32.const 0) }`. WebAssembly.validate
 * accepts it only where SIMD is supported; a module with one SIMD opcode fails validation
 * elsewhere, which is why framekit ships a scalar build of every module beside the SIMD one.
 */
const SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version 1
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, //       type section: () -> v128
  0x03, 0x02, 0x01, 0x00, //                         function section: one function of type 0
  0x0a, 0x08, 0x01, 0x06, 0x00, 0x41, 0x00, 0xfd, 0x0f, 0x0b, // code: i32.const 0; i8x16.splat; end
]);

let cached: boolean | undefined;

/** Whether this engine runs WebAssembly SIMD. Decided once per process. */
export function wasmSimdSupported(): boolean {
  if (cached === undefined) cached = typeof WebAssembly === 'object' && WebAssembly.validate(SIMD_PROBE);
  return cached;
}
