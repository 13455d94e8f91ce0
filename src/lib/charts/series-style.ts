import { OKABE_ITO } from './palette';

/** Colours for up to 8 compared studies (Okabe–Ito, colour-blind safe), then repeated. */
export const SERIES_COLORS = [OKABE_ITO.blue, OKABE_ITO.orange, OKABE_ITO.green, OKABE_ITO.vermillion, OKABE_ITO.purple, OKABE_ITO.skyBlue, OKABE_ITO.black, OKABE_ITO.yellow] as const;
/** Dash patterns, so series differ by more than colour ('' = solid). */
export const SERIES_DASHES = ['', '6 3', '2 3', '10 3 2 3', '4 4', '1 2', '8 2', '3 6'] as const;

/** Colour and dash of series `i`. */
export function seriesStyle(i: number): { color: string; dash: string } {
  return { color: SERIES_COLORS[i % SERIES_COLORS.length], dash: SERIES_DASHES[i % SERIES_DASHES.length] };
}
