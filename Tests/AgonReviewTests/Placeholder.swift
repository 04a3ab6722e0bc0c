import Testing

@Test func agonreviewBuilds() {}
