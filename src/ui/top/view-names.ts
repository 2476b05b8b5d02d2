export const VIEWS = ['overview', 'alerts', 'brokers'] as const
export type ViewName = (typeof VIEWS)[number]
