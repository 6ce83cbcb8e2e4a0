import QRCode from 'qrcode';

/** A deposit address as a QR code PNG (what wallets scan); medium error correction, a quiet zone of 4 modules. */
export function depositQrPng(address: string): Promise<Buffer> {
  return QRCode.toBuffer(address, { type: 'png', errorCorrectionLevel: 'M', margin: 4, scale: 8 });
}
