"""Draws the application icon (PNG sizes and a Windows .ico) with Pillow: run once, commit the output."""

from pathlib import Path

from PIL import Image, ImageDraw

HERE = Path(__file__).resolve().parent
BLUE = (22, 78, 140, 255)
WHITE = (255, 255, 255, 255)
GREEN = (62, 160, 90, 255)


def draw(size: int) -> Image.Image:
    scale = 4  # supersample for smooth edges
    s = size * scale
    img = Image.new("RGBA", (s, s), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    d.rounded_rectangle((0, 0, s - 1, s - 1), radius=s // 6, fill=BLUE)
    # three ranking bars, the top one funded (green)
    left, right = int(s * 0.2), int(s * 0.8)
    for i, (width, colour) in enumerate(((1.0, GREEN), (0.78, WHITE), (0.56, WHITE))):
        top = int(s * (0.22 + i * 0.2))
        d.rounded_rectangle(
            (left, top, left + int((right - left) * width), top + int(s * 0.12)), radius=s // 30, fill=colour
        )
    # a tick over the funded bar
    w = max(1, s // 14)
    d.line(
        [(int(s * 0.55), int(s * 0.84)), (int(s * 0.65), int(s * 0.93)), (int(s * 0.85), int(s * 0.7))],
        fill=GREEN,
        width=w,
        joint="curve",
    )
    return img.resize((size, size), Image.LANCZOS)


if __name__ == "__main__":
    for size in (16, 32, 48, 64, 128, 256):
        draw(size).save(HERE / f"valutazione-{size}.png")
    draw(256).save(HERE / "valutazione.ico", sizes=[(16, 16), (32, 32), (48, 48), (64, 64), (128, 128), (256, 256)])
