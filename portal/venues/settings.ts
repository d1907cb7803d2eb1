// Everything a venue can set, with its allowed range. Consent that cannot be valid is
// not representable: no box is ever pre-ticked and only the terms may be required.
import { z } from 'zod';
import { VENDORS } from '../access-points/registry.ts';

export const LOCALES = ['en', 'bg'] as const;
export type Locale = (typeof LOCALES)[number];

const fieldMode = z.enum(['off', 'optional', 'required']);
const text = (max: number) => z.string().trim().max(max);
const perLocale = <T extends z.ZodType>(t: T) => z.partialRecord(z.enum(LOCALES), t);

export const wordingSchema = z.object({
  welcome: text(500).optional(),
  terms: text(1000).optional(),
  sms: text(1000).optional(),
  email: text(1000).optional(),
  incentive: text(300).optional(),
  termsPage: text(20000).optional(),
  privacyPage: text(20000).optional(),
  smsCode: text(300).optional(),
  smsConfirmation: text(300).optional(),
  smsHelp: text(300).optional(),
});
export type Wording = z.infer<typeof wordingSchema>;

export const venueSettingsSchema = z.object({
  locales: z.array(z.enum(LOCALES)).min(1).default(['en', 'bg']),
  defaultLocale: z.enum(LOCALES).default('en'),
  /** IANA zone the console shows times in; unset: the country's (venues/time-zone.ts). */
  timeZone: z
    .string()
    .max(64)
    .refine((tz) => {
      try {
        new Intl.DateTimeFormat('en', { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    }, 'an IANA time zone such as Europe/Sofia')
    .optional(),
  /**
   * Names this venue was published under before, by the same controller (the owner or operator
   * said so when publishing the rename): consent given to wording that differs from today's
   * only by one of these names still stands, so a rename alone asks nobody again. The ledger's
   * text hashes still cover exactly what each guest was shown (consent/consent-page.ts).
   */
  formerNames: z.array(z.string().max(200)).max(50).optional(),
  /** ISO 3166-1 alpha-2; empty means its own country and, in the EU/EEA, the EU/EEA (venues/countries.ts). */
  allowedCountries: z.array(z.string().regex(/^[A-Z]{2}$/)).default([]),
  fields: z
    .object({ name: fieldMode.default('off'), email: fieldMode.default('off'), birthDate: fieldMode.default('off') })
    .default({ name: 'off', email: 'off', birthDate: 'off' }),
  /** Which optional purposes the venue asks for; none can be a condition of access. */
  offers: z
    .object({ sms: z.boolean().default(true), email: z.boolean().default(false) })
    .default({ sms: true, email: false }),
  branding: z
    .object({
      primaryColor: z
        .string()
        .regex(/^#[0-9a-fA-F]{6}$/)
        .default('#1d4ed8'),
      backgroundColor: z
        .string()
        .regex(/^#[0-9a-fA-F]{6}$/)
        .default('#ffffff'),
      textColor: z
        .string()
        .regex(/^#[0-9a-fA-F]{6}$/)
        .default('#111827'),
      logo: z.string().max(200).optional(),
    })
    .default({ primaryColor: '#1d4ed8', backgroundColor: '#ffffff', textColor: '#111827' }),
  wording: perLocale(wordingSchema).default({}),
  /** Contact shown in HELP replies and on the pages. */
  contact: text(200).default(''),
  session: z
    .object({
      durationMinutes: z.number().int().min(5).max(43200).default(240),
      idleTimeoutMinutes: z.number().int().min(1).max(1440).default(15),
      upKbps: z.number().int().min(0).max(10_000_000).default(0),
      downKbps: z.number().int().min(0).max(10_000_000).default(0),
      dataCapMb: z.number().int().min(0).max(10_000_000).default(0),
      devicesPerGuest: z.number().int().min(1).max(20).default(3),
      rememberDays: z.number().int().min(0).max(365).default(30),
      interimMinutes: z.number().int().min(1).max(60).default(5),
    })
    .default({
      durationMinutes: 240,
      idleTimeoutMinutes: 15,
      upKbps: 0,
      downKbps: 0,
      dataCapMb: 0,
      devicesPerGuest: 3,
      rememberDays: 30,
      interimMinutes: 5,
    }),
  code: z
    .object({
      length: z.number().int().min(4).max(8).default(6),
      validityMinutes: z.number().int().min(2).max(30).default(10),
      maxAttempts: z.number().int().min(1).max(10).default(5),
      resendSeconds: z.number().int().min(10).max(600).default(30),
    })
    .default({ length: 6, validityMinutes: 10, maxAttempts: 5, resendSeconds: 30 }),
  limits: z
    .object({
      perNumber10Min: z.number().int().min(1).max(100).default(3),
      perNumberDay: z.number().int().min(1).max(1000).default(10),
      perMacHour: z.number().int().min(1).max(1000).default(5),
      perIpHour: z.number().int().min(1).max(10000).default(20),
      perNasHour: z.number().int().min(1).max(1_000_000).default(500),
      perCountryHour: z.number().int().min(1).max(1_000_000).default(200),
      venueDaily: z.number().int().min(1).max(10_000_000).default(1000),
    })
    .default({
      perNumber10Min: 3,
      perNumberDay: 10,
      perMacHour: 5,
      perIpHour: 20,
      perNasHour: 500,
      perCountryHour: 200,
      venueDaily: 1000,
    }),
  /** Months since a subject's last event before their personal data is erased. */
  retentionMonths: z.number().int().min(1).max(120).default(24),
  /** Months RADIUS sessions are kept. */
  networkRetentionMonths: z.number().int().min(1).max(120).default(6),
  /**
   * The vendor of the venue's access points: the default for NAS clients added to it, and
   * the adapter preferred for a redirect that no registered NAS claims.
   */
  nasVendor: z.enum(VENDORS).optional(),
  /** A directory on the Foyer host that receives the day's clean SMS list as CSV each night. */
  activeListExportDir: z.string().trim().max(500).regex(/^\//, 'an absolute path').optional(),
  /** Opt-in by SMS to the venue's number, e.g. "JOIN CAFE". */
  smsKeyword: text(40).optional(),
});

export type VenueSettings = z.infer<typeof venueSettingsSchema>;

export const defaultSettings = (): VenueSettings => venueSettingsSchema.parse({});
