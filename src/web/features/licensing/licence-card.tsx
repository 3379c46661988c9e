import QRCode from 'qrcode';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import type { LicenceCardDto } from '../../../shared/schemas/licence-cards.ts';
import { formatDay, TierName } from './licensing-common.tsx';

/** The QR code as one SVG path, with the 4-module quiet zone the standard asks for (as the PDF). */
function QrCode({ text, label }: { text: string; label: string }) {
  const { size, path } = useMemo(() => {
    const qr = QRCode.create(text, { errorCorrectionLevel: 'M' });
    const n = qr.modules.size;
    let d = '';
    for (let row = 0; row < n; row++) {
      for (let col = 0; col < n; col++) {
        if (qr.modules.get(row, col)) d += `M${col + 4} ${row + 4}h1v1h-1z`;
      }
    }
    return { size: n + 8, path: d };
  }, [text]);
  return (
    <svg
      className="licence-card-qr"
      viewBox={`0 0 ${size} ${size}`}
      role="img"
      aria-label={label}
      shapeRendering="crispEdges"
    >
      <rect width={size} height={size} fill="#fff" />
      <path d={path} fill="#000" />
    </svg>
  );
}

/**
 * The licence card on screen, in credit-card proportions (85.6 × 54 mm): the facts printed on the
 * PDF and the same QR code, drawn here from the verification URL the server gives.
 */
export function LicenceCardPreview({ card }: { card: LicenceCardDto }) {
  const { t, i18n } = useTranslation('licensing');
  const locale = i18n.language;
  return (
    <figure className="licence-card" aria-labelledby="licence-card-caption">
      <div className="licence-card-text">
        <p className="licence-card-title">{t('licensing:card.heading')}</p>
        <p className="licence-card-number" dir="ltr">
          {card.number}
        </p>
        <p>
          {t('licensing:fields.tier')}: <TierName code={card.tierCode} />
        </p>
        <p>
          {t('licensing:fields.holder')}: {card.holderDisplay}
        </p>
        <p>
          {t('licensing:fields.area')}: {card.areaName}
        </p>
        <p>
          {t('licensing:licence.fromTo', {
            from: formatDay(locale, card.validFrom),
            to: formatDay(locale, card.validTo),
          })}
        </p>
        <p className="licence-card-scan">{t('licensing:card.scan')}</p>
      </div>
      <QrCode text={card.verifyUrl} label={t('licensing:card.qrLabel')} />
      <figcaption id="licence-card-caption" className="visually-hidden">
        {t('licensing:card.caption', { number: card.number })}
      </figcaption>
    </figure>
  );
}
