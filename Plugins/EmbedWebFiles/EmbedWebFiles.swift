import Foundation
import PackagePlugin

/// Builds the top-level `Resources/web` folder into the target as Swift source (`EmbeddedWebFiles+Files.swift`), so a
/// single ozgate binary serves OzWebClient.js and the web chatroom with no files beside it.
///
/// Subtle: SwiftPM plans plugin commands once and re-plans only when a target's own files or Package.swift change, and
/// Resources/web belongs to no target. So the command's inputs are the folder itself (its modification time changes
/// when a file is added or removed) and each file it held when planned (an edit); the tool lists the folder when it
/// runs. An edit to a file added since the last plan shows after the next re-plan (`swift package clean` forces one);
/// while working on the page, `ozgate --web-dir Resources/web` serves the folder directly.
@main
struct EmbedWebFiles: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: any Target) async throws -> [Command] {
        let folder = context.package.directoryURL.appending(path: "Resources").appending(path: "web")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path(percentEncoded: false))
            .filter { !$0.hasPrefix(".") }
            .sorted()
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedWebFiles+Files.swift")
        return [
            .buildCommand(
                displayName: "Embedding the web files of Resources/web",
                executable: try context.tool(named: "embed-web-files").url,
                arguments: [output.path(percentEncoded: false), folder.path(percentEncoded: false)],
                inputFiles: [folder] + names.map { folder.appending(path: $0) },
                outputFiles: [output]
            )
        ]
    }
}
