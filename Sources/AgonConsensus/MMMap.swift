import Foundation

/// The MM update θ ↦ centred log((wins + α) / (denominators(θ) + α)) over a dataset, optionally
/// re-weighting whole runs (bootstrap replicates), plus the two ways of finding its fixed point.
struct MMMap {
    let data: PLDataset
    let alpha: Double
    /// Effective weighted wins (already multiplied by the run multipliers).
    let wins: [Double]
    let observed: [Bool]
    /// Runs to include with their multipliers; nil = every run once.
    let selection: [(run: Int, multiplier: Double)]?

    var n: Int { data.itemCount }

    init(data: PLDataset, alpha: Double) {
        self.data = data
        self.alpha = alpha
        wins = data.wins
        selection = nil
        var observed = [Bool](repeating: alpha > 0, count: data.itemCount)
        if alpha <= 0 {
            for o in 0..<data.observationCount where data.stages[o] > 0 && data.weights[o] > 0 {
                for k in data.obsStart[o]..<data.obsStart[o + 1] { observed[Int(data.items[k])] = true }
            }
        }
        self.observed = observed
    }

    init(data: PLDataset, alpha: Double, wins: [Double], observed: [Bool], selection: [(run: Int, multiplier: Double)]) {
        self.data = data
        self.alpha = alpha
        self.wins = wins
        // Items absent from a replicate stay out of its centring even with alpha > 0: otherwise
        // they sit at log(α/α) = 0 and every present item moves to make room for them.
        self.observed = observed
        self.selection = selection
    }

    /// choix's exp_transform: weights ∝ e^θ scaled to sum to n (max-shifted to avoid overflow).
    static func weights(_ theta: [Double]) -> [Double] {
        guard let maximum = theta.max() else { return [] }
        var w = theta.map { exp($0 - maximum) }
        let scale = Double(theta.count) / w.reduce(0, +)
        for i in w.indices { w[i] *= scale }
        return w
    }

    /// Visits each included observation with its effective weight.
    @inline(__always)
    private func forEachObservation(_ body: (Int, Double) -> Void) {
        if let selection {
            for (run, multiplier) in selection {
                for o in data.runStart[run]..<data.runStart[run + 1] where data.stages[o] > 0 {
                    body(o, data.weights[o] * multiplier)
                }
            }
        } else {
            for o in 0..<data.observationCount where data.stages[o] > 0 {
                body(o, data.weights[o])
            }
        }
    }

    /// MM denominators: item i gets Σ over stages whose choice set holds i of ω / Σ_{j in set} w_j.
    /// (The hot loop of every fit and bootstrap replicate, hence the raw buffers.)
    func denominators(_ weights: [Double]) -> [Double] {
        var result = [Double](repeating: 0, count: n)
        data.items.withUnsafeBufferPointer { items in
        data.obsStart.withUnsafeBufferPointer { obsStart in
        data.stages.withUnsafeBufferPointer { stageCounts in
        data.weights.withUnsafeBufferPointer { observationWeights in
        weights.withUnsafeBufferPointer { w in
        result.withUnsafeMutableBufferPointer { d in
            @inline(__always) func accumulate(_ o: Int, _ omega: Double) {
                let stages = Int(stageCounts[o])
                guard stages > 0, omega > 0 else { return }
                let lo = obsStart[o], hi = obsStart[o + 1]
                var sum = 0.0
                for k in lo..<hi { sum += w[Int(items[k])] }
                var cumulative = 0.0
                for k in lo..<hi {
                    let item = Int(items[k])
                    if k - lo < stages {
                        cumulative += omega / sum
                        sum -= w[item]
                    }
                    d[item] += cumulative
                }
            }
            if let selection {
                for (run, multiplier) in selection {
                    for o in data.runStart[run]..<data.runStart[run + 1] { accumulate(o, observationWeights[o] * multiplier) }
                }
            } else {
                for o in 0..<stageCounts.count { accumulate(o, observationWeights[o]) }
            }
        }}}}}}
        return result
    }

    /// The MM map from precomputed denominators.
    func update(denominators d: [Double]) -> [Double] {
        var ratio = [Double](repeating: 0, count: n)
        var maxRatio = 0.0
        for i in 0..<n where observed[i] {
            ratio[i] = (wins[i] + alpha) / (d[i] + alpha)
            maxRatio = max(maxRatio, ratio[i])
        }
        let floor = maxRatio > 0 ? maxRatio * PlackettLuce.separationFloor : Double.leastNormalMagnitude
        var logRatio = [Double](repeating: 0, count: n)
        var observedSum = 0.0, observedCount = 0
        for i in 0..<n where observed[i] {
            logRatio[i] = log(max(ratio[i], floor))
            observedSum += logRatio[i]
            observedCount += 1
        }
        // Unobserved items (alpha = 0 only) sit at the observed mean, i.e. θ = 0 after centring,
        // so the observed items are centred exactly as if the absent ones were not there.
        let fill = observedCount > 0 ? observedSum / Double(observedCount) : 0
        for i in 0..<n where !observed[i] { logRatio[i] = fill }
        return PlackettLuce.centred(logRatio)
    }

    func apply(_ theta: [Double]) -> [Double] {
        update(denominators: denominators(MMMap.weights(theta)))
    }

    /// choix's `_mm` loop: stop when the L1 change of the centred iterate is ≤ tol · n
    /// (never on the first iterate, exactly like NormOfDifferenceTest).
    func iterateMM(from start: [Double], maxIterations: Int, tolerance: Double) -> (params: [Double], iterations: Int, converged: Bool) {
        guard n > 0 else { return ([], 0, true) }
        var params = start
        var previous: [Double]?
        var iteration = 0
        while iteration < maxIterations {
            iteration += 1
            params = apply(params)
            // A diverged iterate (overflow, 0/0) can never converge; the caller sees non-finite params.
            guard params.allSatisfy(\.isFinite) else { return (params, iteration, false) }
            if let previous, l1Distance(previous, params) <= tolerance * Double(n) {
                return (params, iteration, true)
            }
            previous = params
        }
        return (PlackettLuce.centred(params), iteration, false)
    }

    /// Newton (or, with a fixed `jacobian`, chord) iteration on G(θ) = MM(θ) − θ = 0, safeguarded:
    /// a step that increases ‖G‖₁ is undone and replaced by a plain MM step. Stops when an MM
    /// step would move θ by ≤ tol · n in L1 (the point where choix would stop) and returns that
    /// MM step, like choix.
    func iterateNewton(from start: [Double], jacobian fixed: LUFactorization?, maxIterations: Int,
                       tolerance: Double) -> (params: [Double], iterations: Int, converged: Bool) {
        guard n > 0 else { return ([], 0, true) }
        var theta = start
        var factorization = fixed
        var previousResidual = Double.infinity
        var previousImage: [Double]?
        var lastWasNewton = false
        var iteration = 0
        var lastImage = start
        while iteration < maxIterations {
            iteration += 1
            let w = MMMap.weights(theta)
            let image = update(denominators: denominators(w))
            lastImage = image
            var residual = [Double](repeating: 0, count: n)
            var norm = 0.0
            for i in 0..<n {
                residual[i] = image[i] - theta[i]
                norm += abs(residual[i])
            }
            // NaN passes neither `norm <= tol` nor `norm > previous`, so it would otherwise be
            // iterated to the end and returned: stop and let the caller fall back.
            guard norm.isFinite else { return (image, iteration, false) }
            if norm <= tolerance * Double(n) { return (image, iteration, true) }
            if lastWasNewton, norm > previousResidual, let fallback = previousImage {
                // The Newton step overshot: take the MM step from the previous point instead.
                theta = fallback
                lastWasNewton = false
                previousImage = nil
                previousResidual = .infinity
                if fixed == nil { factorization = nil }
                continue
            }
            if fixed == nil, lastWasNewton, norm > 0.1 * previousResidual {
                factorization = nil  // slow progress: refresh the Jacobian at the current point
            }
            previousResidual = norm
            previousImage = image
            if factorization == nil { factorization = jacobianFactorization(at: theta, weights: w) }
            if let factorization, let step = factorization.solve(residual), step.allSatisfy({ $0.isFinite }) {
                theta = PlackettLuce.centred(zip(theta, step).map { $0 + $1 })
                lastWasNewton = true
            } else {
                theta = image
                lastWasNewton = false
            }
        }
        return (lastImage, iteration, false)
    }

    /// LU factors of I − J, J the Jacobian of the MM map at θ (derived step by step below).
    func jacobianFactorization(at theta: [Double], weights w: [Double]) -> LUFactorization? {
        let d = denominators(w)
        // M[i][j] = Σ over stages holding both i and j of ω / (Σ_set w)²  (= −∂d_i/∂w_j).
        var m = [Double](repeating: 0, count: n * n)
        var cumulativeByPosition: [Double] = []
        data.items.withUnsafeBufferPointer { items in
            m.withUnsafeMutableBufferPointer { m in
                forEachObservation { o, omega in
                    guard omega > 0 else { return }
                    let lo = data.obsStart[o], hi = data.obsStart[o + 1], stages = Int(data.stages[o])
                    var sum = 0.0
                    for k in lo..<hi { sum += w[Int(items[k])] }
                    cumulativeByPosition.removeAll(keepingCapacity: true)
                    var cumulative = 0.0
                    for t in 0..<(hi - lo) {
                        if t < stages {
                            cumulative += omega / (sum * sum)
                            sum -= w[Int(items[lo + t])]
                        }
                        cumulativeByPosition.append(cumulative)
                    }
                    for a in 0..<(hi - lo) {
                        let ia = Int(items[lo + a])
                        m[ia * n + ia] += cumulativeByPosition[a]
                        for b in (a + 1)..<(hi - lo) {
                            let ib = Int(items[lo + b])
                            let value = cumulativeByPosition[a]  // stages up to min(a, b) = a
                            m[ia * n + ib] += value
                            m[ib * n + ia] += value
                        }
                    }
                }
            }
        }
        // ∂ log r_i / ∂θ_k = (M_ik w_k − (w_k / n) Σ_j M_ij w_j) / (d_i + α)
        var raw = [Double](repeating: 0, count: n * n)
        let dn = Double(n)
        var observedRows = 0
        var meanRow = [Double](repeating: 0, count: n)
        for i in 0..<n where observed[i] {
            var mw = 0.0
            for j in 0..<n { mw += m[i * n + j] * w[j] }
            let scale = 1 / (d[i] + alpha)
            for k in 0..<n {
                let value = scale * (m[i * n + k] * w[k] - w[k] / dn * mw)
                raw[i * n + k] = value
                meanRow[k] += value
            }
            observedRows += 1
        }
        if observedRows > 0 {
            for k in 0..<n { meanRow[k] /= Double(observedRows) }
            for i in 0..<n where !observed[i] {
                for k in 0..<n { raw[i * n + k] = meanRow[k] }
            }
        }
        // Centring the output subtracts each column's mean; then A = I − J.
        var a = [Double](repeating: 0, count: n * n)
        for k in 0..<n {
            var columnMean = 0.0
            for i in 0..<n { columnMean += raw[i * n + k] }
            columnMean /= dn
            for i in 0..<n { a[i * n + k] = (i == k ? 1 : 0) - (raw[i * n + k] - columnMean) }
        }
        return LUFactorization(matrix: a, size: n)
    }
}

@inline(__always)
func l1Distance(_ a: [Double], _ b: [Double]) -> Double {
    var total = 0.0
    for i in a.indices { total += abs(a[i] - b[i]) }
    return total
}

/// Dense LU factorisation with partial pivoting (row-major), for the small Newton systems.
struct LUFactorization {
    private var lu: [Double]
    private var pivots: [Int]
    let size: Int

    init?(matrix: [Double], size n: Int) {
        lu = matrix
        pivots = Array(0..<n)
        size = n
        for k in 0..<n {
            var pivot = k
            var largest = abs(lu[k * n + k])
            for i in (k + 1)..<max(k + 1, n) where abs(lu[i * n + k]) > largest {
                largest = abs(lu[i * n + k])
                pivot = i
            }
            guard largest > 1e-14 else { return nil }
            if pivot != k {
                for j in 0..<n { lu.swapAt(k * n + j, pivot * n + j) }
                pivots.swapAt(k, pivot)
            }
            let diagonal = lu[k * n + k]
            for i in (k + 1)..<max(k + 1, n) {
                let factor = lu[i * n + k] / diagonal
                lu[i * n + k] = factor
                if factor != 0 {
                    for j in (k + 1)..<n { lu[i * n + j] -= factor * lu[k * n + j] }
                }
            }
        }
    }

    func solve(_ b: [Double]) -> [Double]? {
        let n = size
        var x = pivots.map { b[$0] }
        for i in 0..<n {
            var sum = x[i]
            for j in 0..<i { sum -= lu[i * n + j] * x[j] }
            x[i] = sum
        }
        for i in stride(from: n - 1, through: 0, by: -1) {
            var sum = x[i]
            for j in (i + 1)..<max(i + 1, n) { sum -= lu[i * n + j] * x[j] }
            x[i] = sum / lu[i * n + i]
        }
        return x
    }
}
