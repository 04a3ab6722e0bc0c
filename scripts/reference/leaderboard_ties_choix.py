"""Reference ratings for LeaderboardEvidenceTests.tiesAndUnreviewedRunsMatchChoix (issue 11).

The six runs of that test, written out by hand as the top-1 choices the leaderboard should derive
(each member of a check tier chosen over every lower tier; a verifier ranking x > y as choice
x over {y}); choix 0.4.1 fits them independently of Agon. Run: python3 leaderboard_ties_choix.py
"""
import math
import choix

names = ["a", "b", "c", "d"]
a, b, c, d = range(4)
choices = [
    # run 0: a, b pass; c fails acceptance; d agent_error; verifier ranks b > a
    (a, [c, d]), (b, [c, d]), (c, [d]), (b, [a]),
    # run 1: a, c pass; d passes acceptance but fails the holdout; no review
    (a, [d]), (c, [d]),
    # run 2: only b passes; a left no changes, d was cost-killed (tied)
    (b, [a, d]),
    # run 3: c, d pass, a timed out; verifier ranks d > c
    (c, [a]), (d, [a]), (d, [c]),
    # run 4: only a passes; b and c fail acceptance (tied)
    (a, [b, c]),
    # run 5: b, d pass; verifier ranks b > d
    (b, [d]),
]
params = choix.mm_top1(4, choices, alpha=0.01, tol=1e-12, max_iter=100000)
print("choix", choix.__version__ if hasattr(choix, "__version__") else "0.4.1")
for name, theta in zip(names, params):
    print(f"{name} {1500 + theta * 400 / math.log(10):.6f}")
