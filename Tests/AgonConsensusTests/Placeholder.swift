import Testing

@Test func agonconsensusBuilds() {}
