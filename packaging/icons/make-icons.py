#!/usr/bin/env python3
"""Draws the Atalaia icon (a watchtower: "atalaia" is Portuguese for one) without any imaging
library: the same shapes as atalaia.svg, rasterised with 4×4 supersampling, written as PNG files
(256 and 48 px, for the freedesktop hicolor theme) and as a Windows .ico holding PNG images
(256, 48, 32, 16 px) for the MSI. Run from this directory: python3 make-icons.py"""
import struct
import zlib

BG = (0x14, 0x20, 0x2E)
ORANGE = (0xF2, 0x8C, 0x28)
STONE = (0xD9, 0xE2, 0xEC)

# Shapes on a 256-unit canvas, drawn in order: (colour, polygon) — the same as atalaia.svg.
SHAPES = [
    (ORANGE, [(128, 36), (56, 104), (200, 104)]),                # roof
    (STONE, [(84, 104), (172, 104), (190, 216), (66, 216)]),     # tower
    (BG, [(112, 126), (144, 126), (144, 166), (112, 166)]),      # window
    (ORANGE, [(48, 214), (208, 214), (208, 232), (48, 232)]),    # ground
]
RADIUS = 48  # background corner radius


def inside(poly, x, y):
    """Even-odd rule."""
    c = False
    n = len(poly)
    for i in range(n):
        (x1, y1), (x2, y2) = poly[i], poly[(i + 1) % n]
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            c = not c
    return c


def in_background(x, y):
    r = RADIUS
    cx = min(max(x, r), 256 - r)
    cy = min(max(y, r), 256 - r)
    return 0 <= x <= 256 and 0 <= y <= 256 and (x - cx) ** 2 + (y - cy) ** 2 <= r * r


def render(size):
    s = 256 / size
    rows = []
    for py in range(size):
        row = bytearray()
        for px in range(size):
            acc = [0, 0, 0, 0]
            for sy in range(4):
                for sx in range(4):
                    x, y = (px + (sx + 0.5) / 4) * s, (py + (sy + 0.5) / 4) * s
                    if not in_background(x, y):
                        continue
                    colour = BG
                    for c, poly in SHAPES:
                        if inside(poly, x, y):
                            colour = c
                    acc[0] += colour[0]
                    acc[1] += colour[1]
                    acc[2] += colour[2]
                    acc[3] += 255
            covered = acc[3] // 255
            if covered == 0:
                row += bytes((0, 0, 0, 0))
            else:
                row += bytes((acc[0] // covered, acc[1] // covered, acc[2] // covered, acc[3] // 16))
        rows.append(bytes(row))
    return rows


def png(size):
    rows = render(size)
    raw = b"".join(b"\x00" + r for r in rows)

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def ico(images):
    out = struct.pack("<HHH", 0, 1, len(images))
    offset = 6 + 16 * len(images)
    for size, data in images:
        dim = 0 if size >= 256 else size
        out += struct.pack("<BBBBHHII", dim, dim, 0, 0, 1, 32, len(data), offset)
        offset += len(data)
    return out + b"".join(data for _, data in images)


if __name__ == "__main__":
    images = {size: png(size) for size in (256, 48, 32, 16)}
    for size in (256, 48):
        with open(f"atalaia-{size}.png", "wb") as f:
            f.write(images[size])
    with open("atalaia.ico", "wb") as f:
        f.write(ico([(s, images[s]) for s in (256, 48, 32, 16)]))
