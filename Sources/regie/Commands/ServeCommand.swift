import Foundation
import RegieCore
import RegieEngine
import RegieHTTP
import RegieNotify

/// `regie serve`.
struct ServeCommand: RegieCommand {
    static let path = "serve"
    static let summary = "serve the workspace and the partner API over HTTP, fire the timers and deliver the webhooks"
    static let synopsis =
        "[--host ADDRESS] [--port N] [--trusted-proxy ADDRESS]... [--workers N] [--no-scheduler] [--no-deliverer]"
    static let positionals = 0...0
    @Option("host", "ADDRESS", "the address to listen on (default 127.0.0.1, or Config/server.json)") var host: String?
    @Option("port", "N", "the port (default 8080, or Config/server.json); 0 picks a free one", range: 0...65535)
    var port: Int?
    @Repeated("trusted-proxy", "ADDRESS", "a reverse proxy whose X-Forwarded-For is believed (repeatable)")
    var trustedProxy: [String]
    @Option("workers", "N", "threads answering requests (default 2 per core)", range: 1...1024) var workers: Int?
    @Flag("no-scheduler", "do not fire timers in this process (when `regie timers run` runs elsewhere)")
    var noScheduler: Bool
    @Flag("no-deliverer", "do not deliver webhooks in this process (when `regie webhook deliver` runs elsewhere)")
    var noDeliverer: Bool
    static let discussion = """
        Serves the workspace for people at / (log in at /inloggen; people are added with `regie user add`, logins
        are set in Config/identity.json), /v1 (described at /v1/openapi.json), /v1/health and /metrics, fires due
        timers and delivers webhooks
        (Config/webhooks.json), until SIGTERM or SIGINT: then it stops accepting, finishes the requests and
        deliveries in flight, and exits 0. Partners authenticate with a
        key from `regie partner key create PARTNER`. Put a TLS-terminating reverse proxy in front (see the README).
        On a database with a simulated clock it follows that clock: `regie clock set`, `regie clock advance` or
        `--now` from another process moves its time, and its timers and webhooks act at once.
        """

    func run(_ arguments: [String], _ context: Context) throws(EngineError) {
        let engine = try context.engine()
        var settings = ServerSettings()
        let file = (context.configFolder as NSString).appendingPathComponent("server.json")
        if let bytes = FileManager.default.contents(atPath: file) {
            do { settings = try ServerSettings.load(Array(bytes), file: file) } catch {
                throw .environment(error.description)
            }
        }
        if let h = host { settings.host = h }
        if let p = port { settings.port = p }
        if let w = workers { settings.workers = w }
        settings.trustedProxies += trustedProxy

        let api = PartnerAPI(
            engine: engine, trustedProxies: Set(settings.trustedProxies), metricsFrom: Set(settings.metricsFrom))
        var configuration = HTTPServer.Configuration()
        configuration.host = settings.host
        configuration.port = settings.port
        if let workers = settings.workers { configuration.workers = workers }
        configuration.limits = settings.limits
        configuration.unlimitedAddresses = Set(settings.trustedProxies)
        let secureCookies = engine.identity.secureCookies
        if !secureCookies && !["127.0.0.1", "::1", "localhost"].contains(settings.host) {
            throw .environment(
                "Config/identity.json turns secureCookies off, which is only allowed while serving on loopback for development; serve on 127.0.0.1 behind a TLS proxy, or turn secureCookies on"
            )
        }
        let site = Site(
            api: api,
            web: WebApp(
                engine: engine, trustedProxies: Set(settings.trustedProxies), secureCookies: secureCookies,
                theme: try context.themes()))
        let server = HTTPServer(configuration: configuration, handler: site.handle, errorResponse: api.errorResponse)
        do { try server.start() } catch { throw .environment(error.description) }

        var scheduler: Scheduler?
        if !noScheduler {
            do {
                scheduler = try Scheduler(engine: engine)
            } catch {
                Output.warn("timers are not fired by this process: \(error.description)")
            }
        }
        var deliverer: Deliverer?
        if !noDeliverer {
            do {
                deliverer = try Deliverer(engine: engine)
            } catch {
                Output.warn("webhooks are not delivered by this process: \(error.description)")
            }
        }
        let delivererDone = DispatchSemaphore(value: 0)
        if let deliverer {
            Thread.detachNewThread {
                do {
                    try deliverer.run { reports in
                        for r in reports where r.verdict == .gone || r.verdict == .failed {
                            Output.warn(WebhookDeliverCommand.line(r, engine.config.calendar))
                        }
                        deliverer.takeProblems().forEach { Output.warn($0) }
                    }
                } catch {
                    Output.warn("deliverer stopped: \(String(describing: error))")
                }
                delivererDone.signal()
            }
        }
        let schedulerDone = DispatchSemaphore(value: 0)
        if let scheduler {
            Thread.detachNewThread {
                do {
                    try scheduler.run(report: { _ in }, retention: RetentionRunCommand.log)
                } catch {
                    Output.warn("scheduler stopped: \(String(describing: error))")
                }
                schedulerDone.signal()
            }
        }
        let stop = DispatchSemaphore(value: 0)
        signal(SIGPIPE, SIG_IGN)
        let sources = onStopSignals { stop.signal() }
        let host = settings.host.contains(":") ? "[\(settings.host)]" : settings.host
        Output.print(
            "Listening on http://\(host):\(server.port) (the workspace: open http://\(host):\(server.port)/ in a browser; API /v1, described at /v1/openapi.json; /metrics)\(scheduler == nil ? "" : "; firing timers")\(deliverer == nil ? "" : "; delivering webhooks"). SIGTERM stops it."
        )
        stop.wait()
        Output.print("Stopping: no new connections; finishing requests in flight.")
        server.shutdown()
        if let scheduler {
            scheduler.stop()
            schedulerDone.wait()
        }
        if let deliverer {
            deliverer.stop()
            delivererDone.wait()
        }
        sources.forEach { $0.cancel() }
        Output.print("Stopped.")
    }
}
