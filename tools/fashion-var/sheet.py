#!/usr/bin/python3
"""Contact sheet of an evaluation set: one row per class, the first K images of it, pixel-doubled.

Usage: sheet.py DIR_OR_NPZ OUT.png [--per-row K] [--scale S]
Needs only numpy (the PNG is written by hand with zlib).
"""
import argparse
import os
import struct
import zlib

import numpy as np


def write_png(path, rgb):
    h, w, _ = rgb.shape
    raw = b"".join(b"\x00" + rgb[y].tobytes() for y in range(h))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n")
        f.write(chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)))
        f.write(chunk(b"IDAT", zlib.compress(raw, 9)))
        f.write(chunk(b"IEND", b""))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("set")
    p.add_argument("out")
    p.add_argument("--per-row", type=int, default=12)
    p.add_argument("--scale", type=int, default=3)
    a = p.parse_args()
    path = os.path.join(a.set, "samples.npz") if os.path.isdir(a.set) else a.set
    data = np.load(path)
    images, labels = data["arr_0"], data["labels"]
    h, w = images.shape[1:3]
    rows = []
    for c in np.unique(labels):
        picked = images[labels == c][:a.per_row]
        row = np.zeros((h + 2, (w + 2) * a.per_row, 3), np.uint8) + 64
        for i, img in enumerate(picked):
            row[1:1 + h, i * (w + 2) + 1:i * (w + 2) + 1 + w] = img
        rows.append(row)
    sheet = np.concatenate(rows).repeat(a.scale, 0).repeat(a.scale, 1)
    write_png(a.out, np.ascontiguousarray(sheet))
    print(f"{a.out}: {len(rows)} classes x {a.per_row} images, {sheet.shape[1]}x{sheet.shape[0]} px")


if __name__ == "__main__":
    main()
