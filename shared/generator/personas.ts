/**
 * Personas and their habits: how often each kind of purchase happens, on which days and at what time, how many
 * regular merchants a user has for it, and how amounts scale with the persona. Rates are expected purchases per day
 * at home; the other two countries see a small fraction of them, except while the user is visiting.
 */
import type { PersonaKind } from './types';

export const PERSONAS: readonly PersonaKind[] = ['salaried', 'student', 'freelancer', 'family'];

/** Day-of-week multipliers, Sunday first. */
export const FLAT = [1, 1, 1, 1, 1, 1, 1] as const;
export const WEEKDAYS = [0.55, 1.15, 1.2, 1.2, 1.2, 1.1, 0.6] as const;
export const WEEKENDS = [1.3, 0.7, 0.7, 0.8, 0.9, 1.6, 1.8] as const;
export const SHOPPING_DAYS = [1.4, 0.8, 0.8, 0.85, 0.9, 1.05, 1.5] as const;

/** Month multipliers, January first. */
export const NO_SEASON = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1] as const;
export const HOLIDAY_SHOPPING = [0.9, 0.8, 0.9, 1, 1, 1, 1.05, 1.1, 1, 1, 1.45, 2.1] as const;
export const SUMMER = [0.8, 0.8, 0.9, 1, 1.1, 1.25, 1.3, 1.25, 1, 0.9, 0.85, 1.1] as const;

export interface Habit {
  pattern: string;
  /** Detailed categories and their weights. */
  cats: readonly (readonly [string, number])[];
  /** Expected count per day at home, by persona. */
  rate: Readonly<Record<PersonaKind, number>>;
  dow: readonly number[];
  months: readonly number[];
  /** Local time windows, [from hour, to hour). */
  hours: readonly (readonly [number, number])[];
  /** Regular merchants per category. */
  favorites: number;
  /** Chance a purchase is at any merchant of the category rather than a regular one. */
  explore: number;
  /** Share of local (independent) merchants among the category's pool, where the category has them. */
  local: number;
  /** Amount scale by persona (default 1). */
  scale?: Partial<Record<PersonaKind, number>>;
  /** Needs a car / a pet / a vice to happen at all. */
  needs?: 'car' | 'pet' | 'gambler' | 'smoker';
  /** Multiplier while visiting a place (trips). */
  travel: number;
}

const r = (salaried: number, student: number, freelancer: number, family: number) => ({
  salaried,
  student,
  freelancer,
  family,
});

export const HABITS: readonly Habit[] = [
  {
    pattern: 'coffee',
    cats: [['FOOD_AND_DRINK_COFFEE', 1]],
    rate: r(0.5, 0.45, 0.75, 0.28),
    dow: WEEKDAYS,
    months: NO_SEASON,
    hours: [
      [7, 11],
      [13, 17],
    ],
    favorites: 3,
    explore: 0.08,
    local: 0.45,
    travel: 1,
  },
  {
    pattern: 'fast_food',
    cats: [['FOOD_AND_DRINK_FAST_FOOD', 1]],
    rate: r(0.22, 0.4, 0.2, 0.3),
    dow: FLAT,
    months: NO_SEASON,
    hours: [
      [11, 15],
      [17, 22],
    ],
    favorites: 4,
    explore: 0.12,
    local: 0,
    travel: 1.3,
  },
  {
    pattern: 'dining',
    cats: [['FOOD_AND_DRINK_RESTAURANT', 1]],
    rate: r(0.27, 0.2, 0.28, 0.24),
    dow: WEEKENDS,
    months: NO_SEASON,
    hours: [
      [12, 15],
      [18, 23],
    ],
    favorites: 5,
    explore: 0.22,
    local: 0.55,
    scale: { family: 1.5, student: 0.7 },
    travel: 2,
  },
  {
    pattern: 'groceries',
    cats: [
      ['FOOD_AND_DRINK_GROCERIES', 0.85],
      ['GENERAL_MERCHANDISE_SUPERSTORES', 0.15],
    ],
    rate: r(0.3, 0.2, 0.25, 0.45),
    dow: SHOPPING_DAYS,
    months: NO_SEASON,
    hours: [[9, 21]],
    favorites: 2,
    explore: 0.06,
    local: 0.1,
    scale: { family: 1.7, student: 0.6 },
    travel: 0.3,
  },
  {
    pattern: 'treats',
    cats: [
      ['FOOD_AND_DRINK_OTHER_FOOD_AND_DRINK', 0.7],
      ['FOOD_AND_DRINK_BEER_WINE_AND_LIQUOR', 0.3],
    ],
    rate: r(0.1, 0.12, 0.1, 0.1),
    dow: WEEKENDS,
    months: NO_SEASON,
    hours: [[11, 22]],
    favorites: 3,
    explore: 0.3,
    local: 0.5,
    travel: 1.2,
  },
  {
    pattern: 'vending',
    cats: [['FOOD_AND_DRINK_VENDING_MACHINES', 1]],
    rate: r(0.04, 0.06, 0, 0.01),
    dow: WEEKDAYS,
    months: NO_SEASON,
    hours: [[9, 18]],
    favorites: 1,
    explore: 0,
    local: 0,
    travel: 0,
  },
  {
    pattern: 'convenience',
    cats: [['GENERAL_MERCHANDISE_CONVENIENCE_STORES', 1]],
    rate: r(0.08, 0.12, 0.06, 0.06),
    dow: FLAT,
    months: NO_SEASON,
    hours: [[7, 23]],
    favorites: 2,
    explore: 0.1,
    local: 0.4,
    travel: 1,
  },
  {
    pattern: 'rideshare',
    cats: [['TRANSPORTATION_TAXIS_AND_RIDE_SHARES', 1]],
    rate: r(0.12, 0.14, 0.1, 0.05),
    dow: WEEKENDS,
    months: NO_SEASON,
    hours: [
      [7, 10],
      [18, 24],
    ],
    favorites: 2,
    explore: 0.05,
    local: 0,
    travel: 2.5,
  },
  {
    pattern: 'transit',
    cats: [['TRANSPORTATION_PUBLIC_TRANSIT', 1]],
    rate: r(0.55, 0.9, 0.3, 0.25),
    dow: WEEKDAYS,
    months: NO_SEASON,
    hours: [
      [7, 10],
      [17, 20],
    ],
    favorites: 2,
    explore: 0.03,
    local: 0,
    travel: 1,
  },
  {
    pattern: 'fuel',
    cats: [['TRANSPORTATION_GAS', 1]],
    rate: r(0.07, 0.03, 0.05, 0.13),
    dow: FLAT,
    months: SUMMER,
    hours: [[7, 21]],
    favorites: 2,
    explore: 0.1,
    local: 0.2,
    needs: 'car',
    travel: 0.6,
  },
  {
    pattern: 'mobility',
    cats: [
      ['TRANSPORTATION_PARKING', 0.5],
      ['TRANSPORTATION_TOLLS', 0.2],
      ['TRANSPORTATION_BIKES_AND_SCOOTERS', 0.3],
    ],
    rate: r(0.04, 0.06, 0.04, 0.05),
    dow: FLAT,
    months: SUMMER,
    hours: [[8, 21]],
    favorites: 2,
    explore: 0.1,
    local: 0.3,
    travel: 1,
  },
  {
    pattern: 'online_shopping',
    cats: [['GENERAL_MERCHANDISE_ONLINE_MARKETPLACES', 1]],
    rate: r(0.14, 0.15, 0.14, 0.22),
    dow: FLAT,
    months: HOLIDAY_SHOPPING,
    hours: [[8, 24]],
    favorites: 2,
    explore: 0.1,
    local: 0,
    scale: { family: 1.2, student: 0.7 },
    travel: 0.2,
  },
  {
    pattern: 'shopping',
    cats: [
      ['GENERAL_MERCHANDISE_CLOTHING_AND_ACCESSORIES', 0.3],
      ['GENERAL_MERCHANDISE_DEPARTMENT_STORES', 0.14],
      ['GENERAL_MERCHANDISE_DISCOUNT_STORES', 0.14],
      ['GENERAL_MERCHANDISE_ELECTRONICS', 0.1],
      ['GENERAL_MERCHANDISE_SPORTING_GOODS', 0.07],
      ['GENERAL_MERCHANDISE_OTHER_GENERAL_MERCHANDISE', 0.09],
      ['GENERAL_MERCHANDISE_BOOKSTORES_AND_NEWSSTANDS', 0.08],
      ['GENERAL_MERCHANDISE_GIFTS_AND_NOVELTIES', 0.05],
      ['GENERAL_MERCHANDISE_OFFICE_SUPPLIES', 0.03],
    ],
    rate: r(0.1, 0.08, 0.08, 0.14),
    dow: SHOPPING_DAYS,
    months: HOLIDAY_SHOPPING,
    hours: [[10, 21]],
    favorites: 2,
    explore: 0.25,
    local: 0.2,
    scale: { student: 0.7, family: 1.2 },
    travel: 0.7,
  },
  {
    pattern: 'home',
    cats: [
      ['HOME_IMPROVEMENT_FURNITURE', 0.35],
      ['HOME_IMPROVEMENT_HARDWARE', 0.5],
      ['HOME_IMPROVEMENT_OTHER_HOME_IMPROVEMENT', 0.1],
      ['HOME_IMPROVEMENT_REPAIR_AND_MAINTENANCE', 0.05],
    ],
    rate: r(0.02, 0.005, 0.015, 0.05),
    dow: SHOPPING_DAYS,
    months: SUMMER,
    hours: [[9, 20]],
    favorites: 2,
    explore: 0.15,
    local: 0,
    travel: 0,
  },
  {
    pattern: 'pharmacy',
    cats: [['MEDICAL_PHARMACIES_AND_SUPPLEMENTS', 1]],
    rate: r(0.06, 0.04, 0.05, 0.1),
    dow: FLAT,
    months: [1.3, 1.25, 1.05, 1, 0.95, 0.9, 0.9, 0.9, 1, 1.05, 1.15, 1.3],
    hours: [[8, 21]],
    favorites: 2,
    explore: 0.1,
    local: 0.3,
    travel: 0.5,
  },
  {
    pattern: 'health',
    cats: [
      ['MEDICAL_PRIMARY_CARE', 0.4],
      ['MEDICAL_DENTAL_CARE', 0.2],
      ['MEDICAL_EYE_CARE', 0.1],
      ['MEDICAL_OTHER_MEDICAL', 0.3],
    ],
    rate: r(0.012, 0.008, 0.012, 0.03),
    dow: WEEKDAYS,
    months: NO_SEASON,
    hours: [[8, 18]],
    favorites: 1,
    explore: 0.15,
    local: 0.4,
    travel: 0,
  },
  {
    pattern: 'personal_care',
    cats: [
      ['PERSONAL_CARE_HAIR_AND_BEAUTY', 0.65],
      ['PERSONAL_CARE_LAUNDRY_AND_DRY_CLEANING', 0.35],
    ],
    rate: r(0.07, 0.05, 0.06, 0.08),
    dow: SHOPPING_DAYS,
    months: NO_SEASON,
    hours: [[9, 20]],
    favorites: 2,
    explore: 0.1,
    local: 0.6,
    travel: 0.2,
  },
  {
    pattern: 'fitness',
    cats: [['PERSONAL_CARE_GYMS_AND_FITNESS_CENTERS', 1]],
    rate: r(0.02, 0.02, 0.03, 0.01),
    dow: WEEKDAYS,
    months: [1.5, 1.3, 1.1, 1, 1, 0.9, 0.8, 0.8, 1, 1, 0.9, 0.8],
    hours: [
      [6, 9],
      [17, 21],
    ],
    favorites: 1,
    explore: 0.1,
    local: 0.7,
    travel: 0,
  },
  {
    pattern: 'entertainment',
    cats: [
      ['ENTERTAINMENT_TV_AND_MOVIES', 0.35],
      ['ENTERTAINMENT_SPORTING_EVENTS_AMUSEMENT_PARKS_AND_MUSEUMS', 0.25],
      ['ENTERTAINMENT_OTHER_ENTERTAINMENT', 0.25],
      ['ENTERTAINMENT_VIDEO_GAMES', 0.15],
    ],
    rate: r(0.05, 0.07, 0.05, 0.05),
    dow: WEEKENDS,
    months: SUMMER,
    hours: [[12, 23]],
    favorites: 2,
    explore: 0.2,
    local: 0,
    travel: 1.5,
  },
  {
    pattern: 'gambling',
    cats: [['ENTERTAINMENT_CASINOS_AND_GAMBLING', 1]],
    rate: r(0.04, 0.05, 0.04, 0.02),
    dow: WEEKENDS,
    months: NO_SEASON,
    hours: [[12, 24]],
    favorites: 1,
    explore: 0,
    local: 0,
    needs: 'gambler',
    travel: 0,
  },
  {
    pattern: 'pets',
    cats: [
      ['GENERAL_MERCHANDISE_PET_SUPPLIES', 0.88],
      ['MEDICAL_VETERINARY_SERVICES', 0.12],
    ],
    rate: r(0.04, 0.03, 0.04, 0.05),
    dow: SHOPPING_DAYS,
    months: NO_SEASON,
    hours: [[9, 20]],
    favorites: 1,
    explore: 0.05,
    local: 0.3,
    needs: 'pet',
    travel: 0,
  },
  {
    pattern: 'car_care',
    cats: [['GENERAL_SERVICES_AUTOMOTIVE', 1]],
    rate: r(0.012, 0.006, 0.01, 0.02),
    dow: SHOPPING_DAYS,
    months: NO_SEASON,
    hours: [[8, 18]],
    favorites: 1,
    explore: 0.15,
    local: 0.5,
    needs: 'car',
    travel: 0,
  },
  {
    pattern: 'errands',
    cats: [['GENERAL_SERVICES_POSTAGE_AND_SHIPPING', 1]],
    rate: r(0.015, 0.01, 0.03, 0.015),
    dow: WEEKDAYS,
    months: HOLIDAY_SHOPPING,
    hours: [[9, 18]],
    favorites: 1,
    explore: 0.2,
    local: 0,
    travel: 0,
  },
  {
    pattern: 'donation',
    cats: [['GOVERNMENT_AND_NON_PROFIT_DONATIONS', 1]],
    rate: r(0.006, 0.003, 0.005, 0.008),
    dow: FLAT,
    months: [0.6, 0.6, 0.7, 0.7, 0.8, 0.8, 0.8, 0.8, 0.9, 1, 1.6, 3.2],
    hours: [[8, 23]],
    favorites: 1,
    explore: 0.5,
    local: 0,
    travel: 0,
  },
  {
    pattern: 'government',
    cats: [
      ['GOVERNMENT_AND_NON_PROFIT_GOVERNMENT_DEPARTMENTS_AND_AGENCIES', 0.6],
      ['GOVERNMENT_AND_NON_PROFIT_OTHER_GOVERNMENT_AND_NON_PROFIT', 0.4],
    ],
    rate: r(0.004, 0.003, 0.004, 0.005),
    dow: WEEKDAYS,
    months: NO_SEASON,
    hours: [[9, 17]],
    favorites: 1,
    explore: 0.5,
    local: 0,
    travel: 0,
  },
  {
    pattern: 'tobacco',
    cats: [['GENERAL_MERCHANDISE_TOBACCO_AND_VAPE', 1]],
    rate: r(0.12, 0.12, 0.12, 0.08),
    dow: FLAT,
    months: NO_SEASON,
    hours: [[9, 23]],
    favorites: 1,
    explore: 0.05,
    local: 0,
    needs: 'smoker',
    travel: 1,
  },
];
