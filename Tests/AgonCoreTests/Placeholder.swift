import Testing

@Test func agoncoreBuilds() {}
