import { crc32, inflateRawSync } from 'node:zlib';

// Just enough of the ZIP format (APPNOTE.TXT) to pull a few files out of an archive, so fetching
// helm and kubectl needs no `unzip` on the machine.
const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const CENTRAL_DIRECTORY_ENTRY = 0x02014b50;
const LOCAL_FILE_HEADER = 0x04034b50;
const END_RECORD_SIZE = 22;
const MAX_COMMENT_SIZE = 0xffff;
const METHOD_STORED = 0;
const METHOD_DEFLATED = 8;

interface CentralEntry {
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

function findEndRecord(zip: Buffer, archiveName: string): number {
  const lowest = Math.max(0, zip.length - END_RECORD_SIZE - MAX_COMMENT_SIZE);
  for (let offset = zip.length - END_RECORD_SIZE; offset >= lowest; offset--) {
    if (zip.readUInt32LE(offset) === END_OF_CENTRAL_DIRECTORY) return offset;
  }
  throw new Error(`${archiveName} is not a ZIP archive (no end of central directory record)`);
}

function readCentralDirectory(zip: Buffer, archiveName: string): Map<string, CentralEntry> {
  const end = findEndRecord(zip, archiveName);
  const entryCount = zip.readUInt16LE(end + 10);
  const directoryOffset = zip.readUInt32LE(end + 16);
  if (entryCount === 0xffff || directoryOffset === 0xffffffff) {
    throw new Error(`${archiveName} is a ZIP64 archive, which is not supported`);
  }
  const entries = new Map<string, CentralEntry>();
  let offset = directoryOffset;
  for (let i = 0; i < entryCount; i++) {
    if (zip.readUInt32LE(offset) !== CENTRAL_DIRECTORY_ENTRY) {
      throw new Error(`${archiveName} has a corrupt central directory at byte ${offset}`);
    }
    const nameLength = zip.readUInt16LE(offset + 28);
    const extraLength = zip.readUInt16LE(offset + 30);
    const commentLength = zip.readUInt16LE(offset + 32);
    const name = zip.toString('utf8', offset + 46, offset + 46 + nameLength);
    entries.set(name, {
      method: zip.readUInt16LE(offset + 10),
      crc: zip.readUInt32LE(offset + 16),
      compressedSize: zip.readUInt32LE(offset + 20),
      size: zip.readUInt32LE(offset + 24),
      localHeaderOffset: zip.readUInt32LE(offset + 42),
    });
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

function readEntry(zip: Buffer, entry: CentralEntry, where: string): Buffer {
  const header = entry.localHeaderOffset;
  if (zip.readUInt32LE(header) !== LOCAL_FILE_HEADER) {
    throw new Error(`${where}: corrupt local file header`);
  }
  const dataStart = header + 30 + zip.readUInt16LE(header + 26) + zip.readUInt16LE(header + 28);
  const data = zip.subarray(dataStart, dataStart + entry.compressedSize);
  let content: Buffer;
  if (entry.method === METHOD_STORED) content = Buffer.from(data);
  else if (entry.method === METHOD_DEFLATED) content = inflateRawSync(data);
  else throw new Error(`${where}: unsupported compression method ${entry.method}`);
  if (content.length !== entry.size || crc32(content) !== entry.crc) {
    throw new Error(`${where}: size or checksum mismatch; the archive is damaged`);
  }
  return content;
}

/** Reads the named files out of a ZIP archive held in memory, verifying their checksums. */
export function extractZipEntries(
  zip: Buffer,
  names: readonly string[],
  archiveName: string,
): Map<string, Buffer> {
  const entries = readCentralDirectory(zip, archiveName);
  const files = new Map<string, Buffer>();
  for (const name of names) {
    const entry = entries.get(name);
    if (entry === undefined) throw new Error(`${archiveName} has no entry '${name}'`);
    files.set(name, readEntry(zip, entry, `${archiveName}: ${name}`));
  }
  return files;
}
