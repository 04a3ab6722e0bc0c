import Testing

@Test func agontournamentBuilds() {}
