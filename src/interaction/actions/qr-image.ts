/**
 * GET /interaction/:uid/qr.svg?qr=…&mac=… — the QR frame of a page without JavaScript, as an image (with JavaScript
 * the page script draws every frame itself and never asks). Stateless: no statement, no cookie; the URL's MAC says
 * the broker issued this frame for this login, so no other text is ever drawn.
 */
import { BrokerError } from '../../errors/catalogue.ts';
import { singleParam } from '../../http/params.ts';
import { stateOf, type Action } from '../context.ts';
import { issuedQr } from '../qr-image.ts';
// The encoder the page script draws with, so the image looks the same as the frames the script draws.
import { qrSvg } from '../../../views/assets/qr.js';

export const qrImage: Action = (deps) => async (ctx) => {
  const qr = singleParam(ctx, 'qr');
  if (!issuedQr(deps.csrfSecret, stateOf(ctx).uid, qr, singleParam(ctx, 'mac'))) throw new BrokerError('qr_image_invalid', 'QR image: frame or MAC missing or wrong');
  ctx.type = 'image/svg+xml';
  ctx.body = qrSvg(qr);
};
