import { writeFileSync } from "node:fs";
import { chromium } from "playwright-core";

/**
 * Renders a mail's HTML in headless Chromium (Debian's), as a 600 px mail client pane would,
 * blocking every request: what it tried to fetch (a mail must fetch nothing), how wide it laid
 * out, its visible text, and a screenshot written to `file`.
 */
export async function renderInChromium(
  html: string,
  file: string,
): Promise<{ requests: string[]; width: number; text: string; png: Buffer }> {
  const browser = await chromium.launch({
    executablePath: process.env.LAG_CHROMIUM ?? "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 640, height: 900 } });
    const requests: string[] = [];
    await page.route("**/*", (route) => {
      requests.push(route.request().url());
      return route.abort();
    });
    await page.setContent(html, { waitUntil: "load" });
    // Evaluated in the page, where `document` is (this project is compiled without the DOM types).
    const width = Number(await page.evaluate("document.documentElement.scrollWidth"));
    const text = String(await page.evaluate("document.body.innerText"));
    const png = await page.screenshot({ fullPage: true });
    writeFileSync(file, png);
    return { requests, width, text, png };
  } finally {
    await browser.close();
  }
}
