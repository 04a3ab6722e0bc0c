import Testing

@Test func agonreportBuilds() {}
