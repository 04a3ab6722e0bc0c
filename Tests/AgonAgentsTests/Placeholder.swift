import Testing

@Test func agonagentsBuilds() {}
