/** Persian (۰–۹, U+06F0…) and Arabic-Indic (٠–٩, U+0660…) digits as ASCII; other characters unchanged. */
export function asciiDigits(text: string): string {
  return text.replace(/[\u06F0-\u06F9\u0660-\u0669]/g, (d) => {
    const code = d.charCodeAt(0);
    return String(code >= 0x06f0 ? code - 0x06f0 : code - 0x0660);
  });
}
