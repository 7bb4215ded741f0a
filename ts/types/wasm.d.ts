/** With Bun's `file` loader, importing a `.wasm` file gives the URL of the emitted copy. */
declare module '*.wasm' {
  const url: string;
  export default url;
}
