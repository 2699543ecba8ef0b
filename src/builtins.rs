//! The built-in functions: one table, one row per function.
//!
//! Each row gives the name a plan writes, the arity (min, max), the signature and
//! the one-line doc that hover, completion and signature help show, the
//! [`Builtin`] it resolves to, its [`UnitRule`] (which `infer::units`
//! interprets) and which periods of its arguments it [`Reads`] (which
//! evaluation's dependency order and `explain` follow). The `builtins!` macro
//! turns the table into the [`Builtin`] enum, [`Builtin::named`] (name →
//! built-in), [`BUILTINS`] and [`BUILTIN_SIGNATURES`]. A built-in's arithmetic
//! is a match in `eval/mod.rs`.
//!
//! `total` has no [`Builtin`]: resolution turns it into a sum over members
//! (`resolve/dims.rs`), as it does for `allocate`'s arguments. Some built-ins are
//! only reached through resolution (`min` and `max` over time): they are listed
//! after the table, with their unit rule.

/// How a built-in's result unit follows from its arguments (`infer::units`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UnitRule {
    /// The first argument's unit (`cumsum`, `abs`, `base`).
    FirstArg,
    /// The first argument's unit; the rate (second argument) is a plain number or
    /// a percentage (`grow`).
    PlainRate,
    /// The unit the two values share; the last two arguments are periods (`ramp`).
    Ramp,
    /// The unit `x` and `init` share (`prev`).
    WithInit,
    /// The first argument's unit; the second, when given, is a window (`sum`,
    /// `avg`, `first`, `last`, `min` and `max` over time).
    OverWindow,
    /// The unit every argument shares (`min` and `max` per period).
    SameAsArgs,
    /// The first argument's unit; the digits are a whole number (`round`).
    Rounded,
    /// No unit of its own: it combines with any (`period_index`).
    Any,
    /// The first argument's unit raised to (or rooted by) a fixed whole exponent
    /// (`pow`, `root`).
    Power,
    /// The amount's unit; every weight is checked (`allocate`).
    Allocated,
}

/// Which periods (and which scenario) of its arguments a built-in reads for its
/// value in period `t`: what evaluation's dependency order and `explain`'s tree
/// of reads follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Reads {
    /// Every argument in `t` (most built-ins).
    SamePeriod,
    /// The first argument in `t - 1`; the second (the initial value) in the
    /// first period (`prev`).
    Previous,
    /// The first argument over the window of the second (the whole horizon
    /// without one), folded into one value (`sum`, `avg`, …).
    Window(WindowFold),
    /// The first argument from the first period to `t` (`cumsum`).
    ToDate,
    /// The first argument in `t` of the plan's base scenario (`base`).
    BaseScenario,
}

/// How a window built-in folds the values it reads into one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum WindowFold {
    /// `sum`: the total.
    Sum,
    /// `avg`: the average.
    Avg,
    /// `first`: the first period's value.
    First,
    /// `last`: the last period's value.
    Last,
    /// `min` over time: the smallest.
    Min,
    /// `max` over time: the largest.
    Max,
}

/// One built-in function as a plan writes it (its one-line doc is in
/// [`BUILTIN_SIGNATURES`], made from the same row).
#[derive(Debug, Clone, Copy)]
pub(crate) struct BuiltinFn {
    /// The name a plan calls it by.
    pub(crate) name: &'static str,
    /// The fewest arguments it takes.
    pub(crate) min_args: usize,
    /// The most arguments it takes (`usize::MAX`: any number).
    pub(crate) max_args: usize,
    /// The signature hover, completion and signature help show.
    pub(crate) signature: &'static str,
    /// What it resolves to; `None` when resolution rewrites it (`total`).
    pub(crate) builtin: Option<Builtin>,
}

/// Any number of arguments.
const MANY: usize = usize::MAX;

macro_rules! builtins {
    (
        $(
            $name:literal ($min:expr, $max:expr) $sig:literal $doc:literal
                $(=> $variant:ident : $rule:ident, $reads:expr)? ;
        )*
        internal {
            $( $(#[$imeta:meta])* $ivariant:ident : $irule:ident, $ireads:expr ; )*
        }
    ) => {
        /// The built-in functions.
        ///
        /// `Allocate` is one member's part of `allocate(amount, weights[, digits])`:
        /// its arguments are the amount, the digits (`Const(-1)`: no rounding), the
        /// member's index `Const(k)` and then every member's weight in order (see
        /// `eval::allocate`).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Builtin {
            $( $( #[doc = concat!("`", $sig, "`: ", $doc)] $variant, )? )*
            $( $(#[$imeta])* $ivariant, )*
        }

        /// Every built-in function a plan can call, in the order completion lists them.
        pub(crate) const BUILTINS: &[BuiltinFn] = &[
            $( BuiltinFn {
                name: $name,
                min_args: $min,
                max_args: $max,
                signature: $sig,
                builtin: builtins!(@variant $($variant)?),
            }, )*
        ];

        /// (name, signature, doc) of every built-in, as shown in completion, hover
        /// and signature help.
        pub const BUILTIN_SIGNATURES: &[(&str, &str, &str)] = &[ $( ($name, $sig, $doc), )* ];

        impl Builtin {
            /// How its result unit follows from its arguments.
            pub(crate) fn unit_rule(self) -> UnitRule {
                match self {
                    $( $( Builtin::$variant => UnitRule::$rule, )? )*
                    $( Builtin::$ivariant => UnitRule::$irule, )*
                }
            }

            /// Which periods (and scenario) of its arguments it reads.
            pub(crate) fn reads(self) -> Reads {
                match self {
                    $( $( Builtin::$variant => $reads, )? )*
                    $( Builtin::$ivariant => $ireads, )*
                }
            }
        }
    };
    (@variant $variant:ident) => { Some(Builtin::$variant) };
    (@variant) => { None };
}

// One row per function: name (min args, max args) signature doc, then the
// `Builtin` it resolves to, its unit rule and what it reads (none for `total`,
// which resolution rewrites into a sum over members).
builtins! {
    "grow" (2, 2) "grow(start, rate)"
        "start × (1+rate)^i in the i-th period (0-based)" => Grow: PlainRate, Reads::SamePeriod;
    "ramp" (4, 4) "ramp(a, b, p0, p1)"
        "a up to p0, linear from a at p0 to b at p1, b after" => Ramp: Ramp, Reads::SamePeriod;
    "prev" (1, 2) "prev(x, init)"
        "x in the previous period; init (default 0) in the first"
        => Prev: WithInit, Reads::Previous;
    "cumsum" (1, 1) "cumsum(x)" "running total of x" => Cumsum: FirstArg, Reads::ToDate;
    "sum" (1, 2) "sum(x, window)"
        "total of x over the horizon or a window → scalar"
        => Sum: OverWindow, Reads::Window(WindowFold::Sum);
    "avg" (1, 2) "avg(x, window)"
        "average of x over the horizon or a window → scalar"
        => Avg: OverWindow, Reads::Window(WindowFold::Avg);
    "first" (1, 2) "first(x, window)"
        "x in the first period of the horizon or a window → scalar"
        => First: OverWindow, Reads::Window(WindowFold::First);
    "last" (1, 2) "last(x, window)"
        "x in the last period of the horizon or a window → scalar"
        => Last: OverWindow, Reads::Window(WindowFold::Last);
    "min" (1, MANY) "min(x) | min(a, b, …)"
        "one argument: smallest over time; several: smallest per period"
        => Min: SameAsArgs, Reads::SamePeriod;
    "max" (1, MANY) "max(x) | max(a, b, …)"
        "one argument: largest over time; several: largest per period"
        => Max: SameAsArgs, Reads::SamePeriod;
    "round" (2, 2) "round(x, digits)"
        "x rounded half away from zero to `digits` decimals (negative rounds to tens, hundreds, …)"
        => Round: Rounded, Reads::SamePeriod;
    "abs" (1, 1) "abs(x)" "absolute value" => Abs: FirstArg, Reads::SamePeriod;
    "base" (1, 1) "base(x)" "x in the plan's base scenario, same period"
        => Base: FirstArg, Reads::BaseScenario;
    "period_index" (0, 0) "period_index()" "0-based index of the current period"
        => PeriodIndex: Any, Reads::SamePeriod;
    "pow" (2, 2) "pow(x, n)"
        "x to the power n, n a whole number (negative n divides: pow(x, -1) is 1/x)"
        => Pow: Power, Reads::SamePeriod;
    "root" (2, 2) "root(x, n)"
        "the n-th root of x, n a whole number ≥ 1 (root(1.21, 2) is 1.1)"
        => Root: Power, Reads::SamePeriod;
    "total" (1, 2) "total(x, DIM)"
        "sum of a dimensioned value over all its members, or over one dimension";
    "allocate" (2, 3) "allocate(amount, weights, digits)"
        "amount split over the members of weights in proportion, parts rounded to the currency's minor unit and summing exactly"
        => Allocate: Allocated, Reads::SamePeriod;
    internal {
        /// `min(x[, window])` over time
        MinOver: OverWindow, Reads::Window(WindowFold::Min);
        /// `max(x[, window])` over time
        MaxOver: OverWindow, Reads::Window(WindowFold::Max);
    }
}

impl Builtin {
    /// The built-in a plain call `name(…)` resolves to, with the row that
    /// describes it; `None` for a name that is not a built-in or that resolution
    /// rewrites (`total`, `allocate`).
    pub(crate) fn named(name: &str) -> Option<(Builtin, &'static BuiltinFn)> {
        BUILTINS.iter().find(|f| f.name == name).and_then(|f| {
            f.builtin
                .filter(|b| *b != Builtin::Allocate)
                .map(|b| (b, f))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_rows_agree() {
        for (i, f) in BUILTINS.iter().enumerate() {
            assert!(
                BUILTINS.iter().skip(i + 1).all(|g| g.name != f.name),
                "`{}` is listed twice",
                f.name
            );
            assert!(f.signature.starts_with(f.name), "{}", f.name);
            assert!(f.min_args <= f.max_args, "{}", f.name);
        }
        assert_eq!(Builtin::named("grow").map(|(b, _)| b), Some(Builtin::Grow));
        assert!(Builtin::named("total").is_none());
        assert!(Builtin::named("allocate").is_none());
        assert!(Builtin::named("nope").is_none());
        assert_eq!(Builtin::MinOver.unit_rule(), UnitRule::OverWindow);
        assert_eq!(Builtin::MinOver.reads(), Reads::Window(WindowFold::Min));
        assert_eq!(Builtin::Prev.reads(), Reads::Previous);
    }
}
