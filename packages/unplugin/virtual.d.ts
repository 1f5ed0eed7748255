// Types of the plugin's virtual modules, for TypeScript: reference them once in the service project
// (`"types": ["@hecate-om/unplugin/virtual"]` in tsconfig.json, or
// `/// <reference types="@hecate-om/unplugin/virtual" />`), as with vite's `vite/client`.

declare module 'virtual:hecate-om/manifest' {
  /** The manifest the build derived from the contract class: the same object as manifest.json. */
  const manifest: import('@hecate-om/contract').Manifest;
  export default manifest;
}

declare module 'virtual:hecate-om/main' {
  /** The generated entry: it boots the service with the derived manifest and exports nothing. */
  export {};
}
