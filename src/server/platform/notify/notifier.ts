/**
 * The notification port: how the platform reaches a person, a user or an enterprise (SMS, email,
 * in-app). Modules never talk to a gateway; they put messages in the outbox (outbox.ts), which hands
 * each one once to the Notifier wired in app.ts / main.ts. Until an SMS gateway adapter exists the
 * default is the log adapter below.
 */
export const NOTIFICATION_CHANNELS = ['sms', 'email', 'in_app'] as const;
export type NotificationChannel = (typeof NOTIFICATION_CHANNELS)[number];
export type RecipientKind = 'person' | 'user' | 'enterprise';

export interface NotificationMessage {
  channel: NotificationChannel;
  to: { kind: RecipientKind; id: string };
  /** E.164 number for sms. */
  phone?: string | null;
  /** Template code of the text, e.g. licence.expiry_reminder; the adapter renders it in `locale`. */
  template: string;
  params: Record<string, string | number | boolean | null>;
  locale: string;
}

export interface Notifier {
  /** Delivers one message or throws; the outbox records the outcome. */
  send(message: NotificationMessage): Promise<void>;
}

/** +233201234567 → +23320*****67: enough to tell numbers apart in a log, not enough to call. */
export function maskPhone(phone: string | null | undefined): string | null {
  if (!phone) return null;
  if (phone.length <= 7) return `${phone.slice(0, 2)}${'*'.repeat(Math.max(0, phone.length - 2))}`;
  return `${phone.slice(0, 6)}${'*'.repeat(phone.length - 8)}${phone.slice(-2)}`;
}

/** The default adapter: one JSON line per message, the phone number masked. */
export function createLogNotifier(write: (line: string) => void = (line) => console.log(line)): Notifier {
  return {
    async send(message) {
      write(
        JSON.stringify({
          msg: 'notification',
          channel: message.channel,
          to: message.to,
          phone: maskPhone(message.phone),
          template: message.template,
          params: message.params,
          locale: message.locale,
        }),
      );
    },
  };
}
