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
    display_name: displayText(64).meta({ description: 'Name the widget shows for the agent (1-64 characters).', example: 'Ava' }),
    avatar_url: z
      .url({ protocol: /^https$/ })
      .max(2048)
      .nullable()
      .meta({ description: 'HTTPS URL of the agent avatar, or null for the default.', example: null }),
  })
  .meta({ id: 'WidgetAgent', description: 'The agent the visitor talks to.' });

export const Branding = z
  .object({
    primary_color: hexColor.meta({ description: 'Accent colour (`#rrggbb`): launcher, buttons, links.', example: '#4f46e5' }),
    background_color: hexColor.meta({ description: 'Panel background colour (`#rrggbb`).', example: '#ffffff' }),
    text_color: hexColor.meta({ description: 'Text colour (`#rrggbb`).', example: '#111827' }),
    position: z
      .enum(['bottom-right', 'bottom-left'])
      .meta({ description: 'Corner of the page the launcher sits in.', example: 'bottom-right' }),
  })
  .meta({ id: 'WidgetBranding', description: 'Colours and placement.' });

export const Copy = z
  .object({
    title: displayText(80).meta({ description: 'Panel title (1-80 characters).', example: 'Chat with Ava' }),
    greeting: displayText(280).meta({ description: 'First message shown to the visitor (1-280 characters).', example: 'Hi! How can I help?' }),
    placeholder: displayText(80).meta({ description: 'Placeholder of the message input (1-80 characters).', example: 'Type a message…' }),
  })
  .meta({ id: 'WidgetCopy', description: 'Texts the widget shows.' });

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
    client_key: z.string().meta({ description: 'The client key asked for.', example: 'pk_test_4eC39HqLyjWDarjtT1zdp7dc' }),
    mode: z.enum(['live', 'test']).meta({
      description: '`test` for `pk_test_` widgets, which also accept loopback origins (`http://localhost:*`, `http://127.0.0.1:*`, `http://[::1]:*`).',
      example: 'test',
    }),
    agent: Agent,
    branding: Branding,
    copy: Copy,
    guest_enabled: z.boolean().meta({
      description: 'Whether `POST /api/v1/widget/auth/guest` may mint guest visitors; when false, only signed-in users (via `user-token`) can chat.',
      example: true,
    }),
  })
  .meta({ id: 'WidgetConfig', description: 'Public bootstrap config the widget renders from.' });
export type WidgetConfig = z.infer<typeof WidgetConfig>;
