import * as z from 'zod';

const hexColor = z
  .string()
  .regex(/^#[0-9a-fA-F]{6}$/, { error: 'must be a #rrggbb colour' })
  .meta({ description: 'A `#rrggbb` colour.', example: '#4f46e5' });

const displayText = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .regex(/^[^\p{Cc}]*$/u, { error: 'must not contain control characters' });

export const Agent = z
  .object({
    display_name: displayText(64).meta({ description: 'Name the widget shows for the agent.', example: 'Ava' }),
    avatar_url: z
      .url({ protocol: /^https$/ })
      .max(2048)
      .nullable()
      .meta({ description: 'HTTPS URL of the agent avatar, or null for the default.', example: null }),
  })
  .meta({ id: 'WidgetAgent' });

export const Branding = z
  .object({
    primary_color: hexColor,
    background_color: hexColor,
    text_color: hexColor,
    position: z.enum(['bottom-right', 'bottom-left']).meta({ description: 'Launcher corner.' }),
  })
  .meta({ id: 'WidgetBranding' });

export const Copy = z
  .object({
    title: displayText(80).meta({ example: 'Chat with Ava' }),
    greeting: displayText(280).meta({ example: 'Hi! How can I help?' }),
    placeholder: displayText(80).meta({ example: 'Type a message…' }),
  })
  .meta({ id: 'WidgetCopy' });

/** The customer-editable part of a widget's public config (`admin widget config --file`). */
export const WidgetPublicSettings = z
  .object({ agent: Agent, branding: Branding, copy: Copy })
  .meta({ id: 'WidgetPublicSettings' });
export type WidgetPublicSettings = z.infer<typeof WidgetPublicSettings>;

export const defaultWidgetPublicSettings: WidgetPublicSettings = {
  agent: { display_name: 'Ava', avatar_url: null },
  branding: {
    primary_color: '#4f46e5',
    background_color: '#ffffff',
    text_color: '#111827',
    position: 'bottom-right',
  },
  copy: { title: 'Chat with Ava', greeting: 'Hi! How can I help?', placeholder: 'Type a message…' },
};

export const WidgetConfig = z
  .object({
    client_key: z.string().meta({ example: 'pk_test_4eC39HqLyjWDarjtT1zdp7dc' }),
    mode: z.enum(['live', 'test']).meta({ description: 'Test-mode widgets also accept loopback origins.' }),
    agent: Agent,
    branding: Branding,
    copy: Copy,
    guest_enabled: z.boolean().meta({ description: 'Whether `POST /auth/guest` may mint guest visitors.' }),
  })
  .meta({ id: 'WidgetConfig', description: 'Public bootstrap config the widget renders from.' });
export type WidgetConfig = z.infer<typeof WidgetConfig>;
