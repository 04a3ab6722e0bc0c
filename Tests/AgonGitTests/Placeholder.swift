import Testing

@Test func agongitBuilds() {}
