import { chromium, type Browser, type Page } from '@playwright/test';
import QRCode from 'qrcode';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../playwright.config.js';

/**
 * Chromium's fake camera for the scanner tests (ENVIRONMENT.md: Debian's Chromium, no real
 * camera): a browser launched with `--use-file-for-fake-video-capture` loops one Y4M frame as the
 * camera. Chromium opens the file when a page starts the camera, not at launch, so a test may
 * write the frame after launching (once it knows what the camera must see).
 */
const [W, H] = [640, 480];
/** Video range luma: black and white as a camera's YUV frame has them. */
const [BLACK, WHITE] = [16, 235];

/** One 640×480 YUV 4:2:0 frame of the given luma plane (grey chroma). */
function y4mFrame(luma: Uint8Array): Buffer {
  if (luma.length !== W * H) throw new Error(`a frame is ${W}×${H} luma bytes`);
  const chroma = Buffer.alloc((W / 2) * (H / 2) * 2, 128);
  return Buffer.concat([
    Buffer.from(`YUV4MPEG2 W${W} H${H} F30:1 Ip A1:1 C420jpeg\nFRAME\n`),
    luma,
    chroma,
  ]);
}

/** One 640×480 YUV 4:2:0 frame showing `text` as a QR code (Chromium loops it as a camera). */
export function y4mOf(text: string): Buffer {
  const qr = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const size = qr.modules.size;
  // qr-scanner looks at the central 2/3 square of the frame (320 px of 480): the code, with its
  // quiet zone, must fit well inside it.
  const scale = Math.floor(280 / (size + 8));
  const offX = Math.floor((W - size * scale) / 2);
  const offY = Math.floor((H - size * scale) / 2);
  const y = Buffer.alloc(W * H, WHITE);
  for (let r = 0; r < size; r++) {
    for (let c = 0; c < size; c++) {
      if (!qr.modules.get(r, c)) continue;
      for (let dy = 0; dy < scale; dy++)
        y.fill(
          BLACK,
          (offY + r * scale + dy) * W + offX + c * scale,
          (offY + r * scale + dy) * W + offX + (c + 1) * scale,
        );
    }
  }
  return y4mFrame(y);
}

/**
 * The frame a camera held up to an `<img>` on `page` would see: the image as the page shows it
 * (its own pixels, not the text it was made from), drawn 300 px wide in the middle of a white
 * 640×480 frame, where qr-scanner looks. So a test scans exactly the QR code an app displays.
 */
export async function y4mOfImage(page: Page, selector: string): Promise<Buffer> {
  const luma = await page.locator(selector).evaluate(
    async (img: HTMLImageElement, [w, h, black, white]) => {
      await img.decode();
      const canvas = document.createElement('canvas');
      [canvas.width, canvas.height] = [w, h];
      const ctx = canvas.getContext('2d')!;
      ctx.fillStyle = '#fff';
      ctx.fillRect(0, 0, w, h);
      const side = 300;
      ctx.drawImage(img, (w - side) / 2, (h - side) / 2, side, side);
      const rgba = ctx.getImageData(0, 0, w, h).data;
      let out = '';
      for (let i = 0; i < w * h; i++) {
        const grey = (rgba[4 * i]! * 299 + rgba[4 * i + 1]! * 587 + rgba[4 * i + 2]! * 114) / 1000;
        out += String.fromCharCode(Math.round(black + (grey * (white - black)) / 255));
      }
      return btoa(out);
    },
    [W, H, BLACK, WHITE] as const,
  );
  return y4mFrame(Buffer.from(luma, 'base64'));
}

/**
 * Debian's Chromium with its fake camera showing the Y4M file `video` (which may be written
 * later, before a page starts the camera).
 */
export function launchWithCamera(video: string): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      ...CHROMIUM_ARGS,
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-video-capture=${video}`,
    ],
  });
}
