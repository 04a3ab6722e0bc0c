import Foundation

/// A base-10 logarithmic axis mapping a positive domain onto a pixel range.
public struct LogScale: Equatable, Sendable {
    public var domainLow: Double
    public var domainHigh: Double
    /// Pixel positions of the domain's low and high ends.
    public var rangeLow: Double
    public var rangeHigh: Double

    /// A scale covering `values` (non-positive and non-finite ones ignored) with a little
    /// margin; a degenerate domain (one value, or all equal) becomes one decade around it.
    /// `range` is (start, end) in pixels and may run backwards.
    public init?(covering values: [Double], range: (Double, Double)) {
        let positive = values.filter { $0 > 0 && $0.isFinite }
        guard let low = positive.min(), let high = positive.max() else { return nil }
        var logLow = log10(low), logHigh = log10(high)
        if logHigh - logLow < 1e-9 {
            logLow -= 0.5
            logHigh += 0.5
        } else {
            let margin = max(0.08 * (logHigh - logLow), 0.05)
            logLow -= margin
            logHigh += margin
        }
        self.init(domain: pow(10, logLow)...pow(10, logHigh), range: range)
    }

    public init(domain: ClosedRange<Double>, range: (Double, Double)) {
        domainLow = domain.lowerBound
        domainHigh = domain.upperBound
        rangeLow = range.0
        rangeHigh = range.1
    }

    /// Pixel position of `value` (must be positive).
    public func position(_ value: Double) -> Double {
        let t = (log10(value) - log10(domainLow)) / (log10(domainHigh) - log10(domainLow))
        return rangeLow + t * (rangeHigh - rangeLow)
    }

    /// Tick values inside the domain: powers of ten when at least two fit, else the 1-2-5
    /// series, else every integer multiple of the decade; thinned to at most `maxTicks`.
    public func ticks(maxTicks: Int = 8) -> [Double] {
        let firstDecade = Int(floor(log10(domainLow))) - 1
        let lastDecade = Int(ceil(log10(domainHigh))) + 1
        func series(_ multipliers: [Double]) -> [Double] {
            var out: [Double] = []
            for decade in firstDecade...lastDecade {
                for m in multipliers {
                    // Built from the decimal string so 0.1, 0.01 … are the exact doubles people type.
                    let v = Double("\(Int(m))e\(decade)")!
                    if v >= domainLow * (1 - 1e-12), v <= domainHigh * (1 + 1e-12) { out.append(v) }
                }
            }
            return out
        }
        var ticks = series([1])
        if ticks.count < 2 { ticks = series([1, 2, 5]) }
        if ticks.count < 2 { ticks = series([1, 2, 3, 4, 5, 6, 7, 8, 9]) }
        if ticks.count > maxTicks {
            let step = Int(ceil(Double(ticks.count) / Double(maxTicks)))
            ticks = ticks.enumerated().filter { $0.offset % step == 0 }.map(\.element)
        }
        return ticks
    }

    /// Unlabelled 2…9 multiples between decade ticks, which make a log axis read as one;
    /// empty when the major ticks are not decades or are too many to need them.
    public func minorTicks(maxTicks: Int = 8) -> [Double] {
        let major = ticks(maxTicks: maxTicks)
        let decadesOnly = major.allSatisfy { abs(log10($0) - log10($0).rounded()) < 1e-9 }
        guard decadesOnly, major.count <= 6 else { return [] }
        var out: [Double] = []
        for decade in (Int(floor(log10(domainLow))))...(Int(ceil(log10(domainHigh)))) {
            for m in 2...9 {
                let v = Double("\(m)e\(decade)")!
                if v > domainLow, v < domainHigh { out.append(v) }
            }
        }
        return out
    }
}

/// A linear axis with "nice" 1-2-5 ticks.
public struct LinearScale: Equatable, Sendable {
    public var domainLow: Double
    public var domainHigh: Double
    /// Pixel positions of the domain's low and high ends.
    public var rangeLow: Double
    public var rangeHigh: Double

    public init(domain: ClosedRange<Double>, range: (Double, Double)) {
        domainLow = domain.lowerBound
        domainHigh = domain.upperBound
        rangeLow = range.0
        rangeHigh = range.1
    }

    /// A scale covering `values`, widened to nice tick boundaries; ±1 around a single value.
    /// `range` is (start, end) in pixels and may run backwards (an SVG y axis does).
    public init?(covering values: [Double], range: (Double, Double), includeZero: Bool = false, tickCount: Int = 5) {
        var finite = values.filter(\.isFinite)
        if includeZero { finite.append(0) }
        guard var low = finite.min(), var high = finite.max() else { return nil }
        if high - low < 1e-9 {
            let pad = max(abs(low) * 0.05, 1)
            low -= pad
            high += pad
        }
        let step = LinearScale.niceStep(for: (high - low) / Double(max(1, tickCount)))
        self.init(domain: (floor(low / step) * step)...(ceil(high / step) * step), range: range)
    }

    public func position(_ value: Double) -> Double {
        let span = domainHigh - domainLow
        guard span > 0 else { return (rangeLow + rangeHigh) / 2 }
        return rangeLow + (value - domainLow) / span * (rangeHigh - rangeLow)
    }

    /// Multiples of a 1-2-5 step inside the domain.
    public func ticks(count: Int = 5) -> [Double] {
        let step = LinearScale.niceStep(for: (domainHigh - domainLow) / Double(max(1, count)))
        guard step > 0 else { return [domainLow] }
        var out: [Double] = []
        var k = ceil(domainLow / step - 1e-9)
        while k * step <= domainHigh + step * 1e-9, out.count < 50 {
            out.append(k * step)
            k += 1
        }
        return out
    }

    static func niceStep(for rough: Double) -> Double {
        guard rough > 0, rough.isFinite else { return 1 }
        let magnitude = pow(10, floor(log10(rough)))
        let residual = rough / magnitude
        let nice: Double = residual <= 1 ? 1 : residual <= 2 ? 2 : residual <= 5 ? 5 : 10
        return nice * magnitude
    }
}
