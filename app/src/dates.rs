//! Dates as each language writes them ("22 November 2026", "22 de
//! noviembre de 2026"), from the server's clock. Hearth shows few dates,
//! and never when anyone wrote anything: only when a harvest was made.
//! Both sides work from the same milliseconds the server rendered with,
//! in UTC, so the browser hydrates exactly the words the server sent.

use crate::i18n::{I18n, Msg};

const MONTHS: [Msg; 12] = [
    Msg::MonthJanuary,
    Msg::MonthFebruary,
    Msg::MonthMarch,
    Msg::MonthApril,
    Msg::MonthMay,
    Msg::MonthJune,
    Msg::MonthJuly,
    Msg::MonthAugust,
    Msg::MonthSeptember,
    Msg::MonthOctober,
    Msg::MonthNovember,
    Msg::MonthDecember,
];

/// A calendar day: year, month (1–12) and day (1–31).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Day {
    pub year: i64,
    pub month: u32,
    pub day: u32,
}

impl Day {
    /// The UTC day of a time in milliseconds since the Unix epoch (Howard
    /// Hinnant's days-to-civil algorithm, exact for every Gregorian date).
    pub fn from_unix_ms(ms: u64) -> Day {
        let days = (ms / 86_400_000) as i64 + 719_468;
        let era = days.div_euclid(146_097);
        let of_era = days.rem_euclid(146_097);
        let year_of_era = (of_era - of_era / 1460 + of_era / 36_524 - of_era / 146_096) / 365;
        let of_year = of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
        let shifted = (5 * of_year + 2) / 153;
        let day = (of_year - (153 * shifted + 2) / 5 + 1) as u32;
        let month = if shifted < 10 {
            shifted + 3
        } else {
            shifted - 9
        } as u32;
        let year = year_of_era + era * 400 + i64::from(month <= 2);
        Day { year, month, day }
    }

    /// The day written out in words, in the view's language.
    pub fn long(self, i18n: I18n) -> String {
        let month = MONTHS[(self.month.clamp(1, 12) - 1) as usize];
        i18n.fill(
            Msg::DateLong,
            &[
                ("day", &self.day.to_string()),
                ("month", i18n.t(month)),
                ("year", &self.year.to_string()),
            ],
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hearth_core::locale::Locale;

    #[test]
    fn days_are_counted_right_across_leap_years() {
        let day = |y, m, d| Day {
            year: y,
            month: m,
            day: d,
        };
        assert_eq!(Day::from_unix_ms(0), day(1970, 1, 1));
        assert_eq!(Day::from_unix_ms(951_782_400_000), day(2000, 2, 29));
        assert_eq!(Day::from_unix_ms(1_709_164_800_000), day(2024, 2, 29));
        assert_eq!(Day::from_unix_ms(1_709_251_199_999), day(2024, 2, 29));
        assert_eq!(Day::from_unix_ms(1_709_251_200_000), day(2024, 3, 1));
        assert_eq!(Day::from_unix_ms(1_798_675_200_000), day(2026, 12, 31));
    }

    #[test]
    fn each_language_writes_the_date_its_own_way() {
        let day = Day::from_unix_ms(1_795_305_600_000);
        assert_eq!(day.long(I18n(Locale::En)), "22 November 2026");
        assert_eq!(day.long(I18n(Locale::Es)), "22 de noviembre de 2026");
    }
}
