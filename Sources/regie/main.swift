import Foundation
import RegieCore
import RegieEngine

/// The `regie` command line: finds the command named by the first words and runs it.
enum RegieCLI {
    /// Every command, in the order the help lists them.
    static var commands: [Entry] {
        [
            Entry(InitCommand.self),
            Entry(WorkflowListCommand.self), Entry(WorkflowValidateCommand.self), Entry(WorkflowShowCommand.self),
            Entry(WorkflowGraphCommand.self),
            Entry(CaseOpenCommand.self), Entry(CaseFireCommand.self), Entry(CaseShowCommand.self),
            Entry(CaseTimelineCommand.self), Entry(CaseListCommand.self),
            Entry(TimersDueCommand.self), Entry(TimersRunCommand.self),
            Entry(ClockShowCommand.self), Entry(ClockSetCommand.self), Entry(ClockAdvanceCommand.self),
            Entry(VSOAgendaCommand.self),
            Entry(ServeCommand.self),
            Entry(PartnerListCommand.self), Entry(PartnerKeyCreateCommand.self), Entry(PartnerKeyListCommand.self),
            Entry(PartnerKeyRevokeCommand.self),
            Entry(UserAddCommand.self), Entry(UserListCommand.self), Entry(UserShowCommand.self),
            Entry(UserRolesCommand.self), Entry(UserDisableCommand.self), Entry(UserEnableCommand.self),
            Entry(UserUnlockCommand.self), Entry(UserResetCommand.self),
            Entry(WebhookAddCommand.self), Entry(WebhookListCommand.self), Entry(WebhookRotateCommand.self),
            Entry(WebhookDisableCommand.self), Entry(WebhookEnableCommand.self), Entry(WebhookStatusCommand.self),
            Entry(WebhookLogCommand.self), Entry(WebhookReplayCommand.self), Entry(WebhookRecoverCommand.self),
            Entry(WebhookDeliverCommand.self),
            Entry(ReportCommand.self),
            Entry(CheckCommand.self), Entry(BackupCommand.self), Entry(RestoreCommand.self),
            Entry(RetentionPlanCommand.self), Entry(RetentionRunCommand.self), Entry(RetentionHoldCommand.self),
            Entry(RetentionReleaseCommand.self), Entry(RetentionHoldsCommand.self),
            Entry(AuditVerifyCommand.self), Entry(AuditClientCommand.self), Entry(AuditExportCommand.self),
            Entry(ConfigShowCommand.self), Entry(ConfigValidateCommand.self),
            Entry(BatchCommand.self),
        ]
    }

    /// A command's name and summary, and how to run it.
    struct Entry {
        let path: String
        let summary: String
        let execute: ([String]) -> Int32

        init<C: RegieCommand>(_ command: C.Type) {
            path = C.path
            summary = C.summary
            execute = { RegieCLI.execute(C.self, $0) }
        }
    }

    static var overview: String {
        """
        regie - executable agreements for network care around complex cases

        Usage: regie COMMAND [ARGUMENTS] [OPTIONS]

        Commands:
        \(commands.map { "  " + $0.path.padding(18) + "  " + $0.summary }.joined(separator: "\n"))

        `regie COMMAND --help` explains a command. The database is ./regie.db unless --db or $REGIE_DB says otherwise.
        """
    }

    static func main() -> Int32 {
        let argv = Array(CommandLine.arguments.dropFirst())
        if argv.isEmpty || argv == ["--help"] || argv == ["help"] || argv == ["-h"] {
            Output.print(overview)
            return argv.isEmpty ? 2 : 0
        }
        // The longest command path that matches the first words.
        let match = commands.filter { cmd in
            let words = cmd.path.split(separator: " ").map(String.init)
            return argv.count >= words.count && Array(argv.prefix(words.count)) == words
        }.max { $0.path.count < $1.path.count }
        guard let command = match else {
            let groups = Set(commands.compactMap { $0.path.split(separator: " ").first.map(String.init) })
            if groups.contains(argv[0]) {
                let subs = commands.filter { $0.path.hasPrefix(argv[0] + " ") }
                if argv.count == 1 || argv[1] == "--help" {
                    Output.print(
                        "regie \(argv[0]) - subcommands:\n"
                            + subs.map { "  " + $0.path.padding(18) + "  " + $0.summary }.joined(separator: "\n"))
                    return argv.count == 1 ? 2 : 0
                }
                Output.warn(
                    "unknown subcommand `\(argv[0]) \(argv[1])`; try: \(subs.map(\.path).joined(separator: ", "))")
                return 2
            }
            let hint = closest(argv[0], in: Array(groups)).map { "did you mean `\($0)`? " } ?? ""
            Output.warn("unknown command `\(argv[0])`; \(hint)see `regie --help`")
            return 2
        }
        let rest = Array(argv.dropFirst(command.path.split(separator: " ").count))
        return command.execute(rest)
    }

    /// Parses and runs one command; returns its exit code.
    static func execute<C: RegieCommand>(_ command: C.Type, _ rest: [String]) -> Int32 {
        do {
            let command = C()
            let common = CommonOptions()
            let arguments = try C.parse(rest, into: command.declaredOptions + Options.declared(in: common))
            if common.help {
                Output.print(C.help)
                return 0
            }
            let context = Context(common, stated: command as? any StatesWhoActs)
            var failure: EngineError?
            // What a command that accesses cases prints is held until its access is logged: like the API, the
            // command line answers nothing it could not log.
            if C.auditAction != nil { Output.hold() }
            do { try command.run(arguments, context) } catch { failure = error }
            if let unlogged = context.logAccess(C.self, failure: failure) {
                Output.discard()
                if let failure { Output.warn(failure.description) }
                Output.warn("the access could not be logged, so nothing is shown: \(unlogged.description)")
                return failure?.exitCode ?? 4
            }
            Output.release()
            // A change committed at --now moved the simulated clock: processes on the database act at the new time.
            if common.now != nil && failure == nil {
                SimulatedClock.wakeProcesses(databasePath: context.databasePath)
            }
            if let failure {
                Output.warn(failure.description)
                return failure.exitCode
            }
            return 0
        } catch {
            Output.warn(error.description)
            return 2
        }
    }
}

exit(RegieCLI.main())
