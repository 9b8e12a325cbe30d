// The `fortfail` subcommands, one file each. Every add_* registers its
// subcommand on `app`; when it is the one parsed, its callback stores the exit
// code in *exit_code. `ctx` and `exit_code` must outlive `app`.
//
// Thread-safety: single-threaded.
#pragma once

namespace CLI {
class App;
}

namespace ff::cli {

class Context;

void add_login(CLI::App& app, Context& ctx, int* exit_code);
void add_agents(CLI::App& app, Context& ctx, int* exit_code);
void add_snapshots(CLI::App& app, Context& ctx, int* exit_code);  // snapshots, snapshot show
void add_backup(CLI::App& app, Context& ctx, int* exit_code);
void add_restore(CLI::App& app, Context& ctx, int* exit_code);
void add_jobs(CLI::App& app, Context& ctx, int* exit_code);
void add_cancel(CLI::App& app, Context& ctx, int* exit_code);
void add_events(CLI::App& app, Context& ctx, int* exit_code);
void add_wal(CLI::App& app, Context& ctx, int* exit_code);
void add_gc(CLI::App& app, Context& ctx, int* exit_code);
void add_prove(CLI::App& app, Context& ctx, int* exit_code);  // drill, verify
void add_forget(CLI::App& app, Context& ctx, int* exit_code);
void add_key(CLI::App& app, Context& ctx, int* exit_code);  // key generate
// api-key create|list|revoke
void add_api_key(CLI::App& app, Context& ctx, int* exit_code);
void add_api_key_create(CLI::App& parent, Context& ctx, int* exit_code);
void add_api_key_list(CLI::App& parent, Context& ctx, int* exit_code);
void add_api_key_revoke(CLI::App& parent, Context& ctx, int* exit_code);
void add_webhook(CLI::App& app, Context& ctx, int* exit_code);
void add_webhook_add(CLI::App& parent, Context& ctx, int* exit_code);
void add_webhook_list(CLI::App& parent, Context& ctx, int* exit_code);
void add_webhook_rm(CLI::App& parent, Context& ctx, int* exit_code);
void add_schedule(CLI::App& app, Context& ctx, int* exit_code);
void add_schedule_add(CLI::App& parent, Context& ctx, int* exit_code);
void add_schedule_list(CLI::App& parent, Context& ctx, int* exit_code);
void add_schedule_rm(CLI::App& parent, Context& ctx, int* exit_code);
// agent enroll|revoke
void add_agent(CLI::App& app, Context& ctx, int* exit_code);
void add_agent_enroll(CLI::App& parent, Context& ctx, int* exit_code);
void add_agent_revoke(CLI::App& parent, Context& ctx, int* exit_code);
// completion bash|zsh (from the tree `app` holds when it runs)
void add_completion(CLI::App& app, Context& ctx, int* exit_code);

// Builds the whole command line, parses argv and runs the chosen subcommand.
int run_cli(int argc, const char* const* argv, Context& ctx);

}  // namespace ff::cli
