/** The dynamic symbols of an ELF shared object, the part of it a loader links against. */
export interface ElfSymbols {
  /** `e_machine`: the CPU the code is for (62 x86-64, 183 AArch64, ...). */
  readonly machine: number;
  /** Symbols the object exports. */
  readonly defined: ReadonlySet<string>;
  /** Symbols the object imports from the process that loads it. */
  readonly imported: ReadonlySet<string>;
}

const SHT_DYNSYM = 11;
/** The largest symbol name read: C++ mangled names run long, none this long. */
const MAX_NAME_BYTES = 4096;

/**
 * Reads `.dynsym`, the table `dlopen` resolves against (kept by `strip`), of an ELF file of
 * either class and byte order (the System V gABI, "Object Files"). Undefined when the bytes are
 * not ELF or the table cannot be read within them: nothing is read past the end of `bytes`.
 */
export function readElfSymbols(bytes: Uint8Array): ElfSymbols | undefined {
  if (bytes.length < 52 || bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46) return undefined;
  const wide = bytes[4] === 2;
  const little = bytes[5] === 1;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // 64-bit offsets of a file held in memory fit a double exactly.
  const word = (offset: number): number => (wide ? Number(view.getBigUint64(offset, little)) : view.getUint32(offset, little));
  try {
    const machine = view.getUint16(18, little);
    const sectionTable = word(wide ? 0x28 : 0x20);
    const sectionSize = view.getUint16(wide ? 0x3a : 0x2e, little);
    const sectionCount = view.getUint16(wide ? 0x3c : 0x30, little);
    const section = (index: number) => {
      const at = sectionTable + index * sectionSize;
      return {
        type: view.getUint32(at + 4, little),
        offset: word(at + (wide ? 0x18 : 0x10)),
        size: word(at + (wide ? 0x20 : 0x14)),
        link: view.getUint32(at + (wide ? 0x28 : 0x18), little),
        entrySize: word(at + (wide ? 0x38 : 0x24)),
      };
    };
    for (let index = 0; index < sectionCount; index += 1) {
      const symbols = section(index);
      if (symbols.type !== SHT_DYNSYM || symbols.entrySize === 0) continue;
      const strings = section(symbols.link);
      const defined = new Set<string>();
      const imported = new Set<string>();
      for (let at = symbols.offset; at + symbols.entrySize <= symbols.offset + symbols.size; at += symbols.entrySize) {
        const nameOffset = view.getUint32(at, little);
        if (nameOffset === 0) continue;
        const sectionIndex = view.getUint16(at + (wide ? 6 : 14), little);
        const name = stringAt(bytes, strings.offset + nameOffset, strings.offset + strings.size);
        if (name === undefined) return undefined;
        (sectionIndex === 0 ? imported : defined).add(name);
      }
      return { machine, defined, imported };
    }
    return { machine, defined: new Set(), imported: new Set() };
  } catch (error) {
    if (error instanceof RangeError) return undefined; // an offset past the end: truncated or not a real ELF file
    throw error;
  }
}

/** The NUL-terminated string at `start`, within `end` and the bytes. */
function stringAt(bytes: Uint8Array, start: number, end: number): string | undefined {
  const limit = Math.min(end, bytes.length, start + MAX_NAME_BYTES);
  const nul = bytes.subarray(start, limit).indexOf(0);
  return nul === -1 ? undefined : Buffer.from(bytes.buffer, bytes.byteOffset + start, nul).toString('latin1');
}
