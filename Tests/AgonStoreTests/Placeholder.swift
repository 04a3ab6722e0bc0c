import Testing

@Test func agonstoreBuilds() {}
