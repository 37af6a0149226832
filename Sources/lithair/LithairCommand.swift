import ArgumentParser

@main
struct LithairCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lithair",
        abstract: "An event-sourced, replicated data server.",
        discussion: """
            Every change is an event in a durable, fsynced log; state lives in memory and is \
            rebuilt from the newest snapshot plus the log after it.
            """,
        version: "0.1.0",
        subcommands: [
            ServeCommand.self, ClusterCommand.self, StatusCommand.self, MembersCommand.self, VerifyCommand.self,
        ],
        defaultSubcommand: ServeCommand.self
    )
}
