/**
 * Trips: when and where the user travels (domestic trips and visits abroad, more in summer and December), where they
 * are each day, and what a trip costs (flights booked ahead, stays and rental cars paid at the end).
 */
import { drawAmount } from './amounts';
import { on, sec } from './calendar';
import { type Region, REGIONS } from './merchants';
import { homeLoc, type Trip, type UserContext } from './context';
import { chainPool, favorite } from './merchant-pools';
import { purchase } from './purchases';
import { type Metro, REGION_INFO } from './regions';
import { civilFromDays } from './time';

const SEASON_WEIGHTS = [1, 0.8, 1, 1, 1.2, 2.2, 2.6, 2.4, 1.1, 1, 1.1, 2.2];

/** Chooses the trips (seasonal start days, no overlaps) and where the user is each day. */
export function planTrips(g: UserContext): void {
  const rng = g.rng;
  const days = g.o.days;
  const years = days / 365;
  const wanted: { domestic: boolean }[] = [];
  const domestic = rng.poisson((g.persona === 'student' ? 1 : 1.6) * years);
  const visits = rng.poisson(0.9 * years);
  for (let i = 0; i < domestic; i++) wanted.push({ domestic: true });
  for (let i = 0; i < visits; i++) wanted.push({ domestic: false });
  const weights: number[] = [];
  for (let d = 0; d < days; d++)
    weights.push(SEASON_WEIGHTS[civilFromDays(g.o.startDays + d).month - 1] as number);
  for (const w of wanted) {
    const length = w.domestic ? rng.int(3, 6) : rng.int(7, 14);
    for (let attempt = 0; attempt < 6; attempt++) {
      const start = rng.weighted(weights);
      const end = start + length - 1;
      if (start < 5 || end >= days - 1) continue;
      if (g.trips.some((t) => start <= t.end + 3 && end >= t.start - 3)) continue;
      let region: Region = g.home;
      let metro: Metro;
      if (w.domestic) {
        const others = REGION_INFO[g.home].metros.filter((m) => m.tag !== g.lives[g.home].metro.tag);
        metro = rng.pick(others);
      } else {
        region = rng.pick(REGIONS.filter((r) => r !== g.home));
        metro = g.lives[region].metro;
      }
      g.trips.push({ start, end, region, metro, place: rng.pick(metro.cities), domestic: w.domestic });
      break;
    }
  }
  g.trips.sort((a, b) => a.start - b.start);
  const homeLife = g.lives[g.home];
  for (let d = 0; d < days + 12; d++) {
    const trip = g.trips.find((t) => d >= t.start && d <= t.end) ?? null;
    g.where.push(
      trip
        ? { region: trip.region, metro: trip.metro, place: trip.place, trip }
        : { region: g.home, metro: homeLife.metro, place: homeLife.place, trip: null },
    );
  }
}

/** What a trip costs: the flight booked 2-8 weeks ahead, the stay and a rental car paid on the last day. */
export function planTrip(g: UserContext, trip: Trip): void {
  const rng = g.rng;
  const home = g.lives[g.home];
  const dest = g.lives[trip.region];
  const people = g.persona === 'family' ? 3 : 1;
  const lead = rng.int(14, 60);
  const flights = chainPool(g, home, 'TRAVEL_FLIGHTS', home.metro.tag);
  if (flights.length) {
    const airline = favorite(g, home, 'travel', 'TRAVEL_FLIGHTS', flights, 2);
    const d = trip.start - lead;
    const scale = people * (trip.domestic ? 1 : 3);
    on(g, Math.max(0, d), () =>
      purchase(
        g,
        home,
        airline,
        drawAmount(g, airline, scale, d),
        Math.max(0, d),
        'travel',
        sec(g, [[8, 23]]),
        { loc: homeLoc(g), slot: null },
      ),
    );
  }
  const nights = trip.end - trip.start;
  const stayWithFamily = !trip.domestic && rng.chance(0.6);
  if (!stayWithFamily) {
    const ota = rng.chance(0.25);
    const cat = ota ? 'TRAVEL_OTHER_TRAVEL' : 'TRAVEL_LODGING';
    const pool = chainPool(g, dest, cat, trip.metro.tag);
    if (pool.length) {
      const m = favorite(g, dest, 'travel', cat, pool, 2);
      const payLife = trip.domestic ? home : dest;
      const d = trip.end;
      on(g, d, () =>
        purchase(
          g,
          payLife,
          m,
          drawAmount(g, m, Math.max(1, nights / 3) * (people > 1 ? 1.4 : 1), d),
          d,
          'travel',
          sec(g, [[8, 12]]),
          {
            loc: g.where[d] ?? homeLoc(g),
            slot: null,
          },
        ),
      );
    }
  }
  if (trip.domestic && rng.chance(0.3)) {
    const pool = chainPool(g, home, 'TRAVEL_RENTAL_CARS', trip.metro.tag);
    if (pool.length) {
      const m = favorite(g, home, 'travel', 'TRAVEL_RENTAL_CARS', pool, 1);
      const d = trip.end;
      on(g, d, () =>
        purchase(g, home, m, drawAmount(g, m, Math.max(1, nights / 3), d), d, 'travel', sec(g, [[9, 18]]), {
          loc: g.where[d] ?? homeLoc(g),
          slot: null,
        }),
      );
    }
  }
}
