%% node_peer: BEAM-side pieces for the node-level interop tests (test/interop/erlang/node-*.test.ts),
%% driven through dist_peer's expression evaluator.
%%
%% - a gen_server (start/1): answers {echo, Req}, keeps casts and infos, can sleep, crash or stop;
%% - workers a TS supervisor starts on BEAM (worker/1), reporting each start to a sink;
%% - a child start function for BEAM supervisors whose children live on the TS node (ts_child/4);
%% - small helpers (trap/1, await/2, io/2).
-module(node_peer).
-behaviour(gen_server).
-export([start/1, stop/1, got/1,
         worker/2, ts_child/4, io/2, trapper/2, collect/2, spawner/3]).
-export([init/1, handle_call/3, handle_cast/2, handle_info/2, terminate/2]).

%% ---------------------------------------------------------------- the gen_server

start(Name) ->
    gen_server:start({local, Name}, ?MODULE, [], []).

stop(Name) ->
    gen_server:stop(Name).

%% Casts and infos it got, oldest first.
got(Name) ->
    gen_server:call(Name, '$got').

init([]) ->
    {ok, []}.

handle_call('$got', _From, Acc) ->
    {reply, lists:reverse(Acc), Acc};
handle_call({sleep, Ms}, _From, Acc) ->
    timer:sleep(Ms),
    {reply, slept, Acc};
handle_call(crash, _From, _Acc) ->
    exit(asked_to_crash);
handle_call({stop, Reason}, _From, Acc) ->
    {stop, Reason, stopping, Acc};
handle_call({later, Ms}, From, Acc) ->
    erlang:send_after(Ms, self(), {'$reply_later', From}),
    {noreply, Acc};
handle_call(Req, _From, Acc) ->
    {reply, {echo, Req}, Acc}.

handle_cast(Msg, Acc) ->
    {noreply, [{cast, Msg} | Acc]}.

handle_info({'$reply_later', From}, Acc) ->
    gen_server:reply(From, late),
    {noreply, Acc};
handle_info(Msg, Acc) ->
    {noreply, [{info, Msg} | Acc]}.

terminate(_Reason, _Acc) ->
    ok.

%% ---------------------------------------------------------------- supervision across the boundary

%% A worker a TS supervisor starts here (spawn_link from TS): tells Sink it started, then
%% dies when told. Traps exits so the supervisor's shutdown arrives as a message, and reports it.
worker(Sink, Tag) ->
    process_flag(trap_exit, true),
    Sink ! {worker_started, Tag, self()},
    worker_loop(Sink, Tag).

worker_loop(Sink, Tag) ->
    receive
        {crash, Reason} -> exit(Reason);
        {'EXIT', From, Reason} ->
            Sink ! {worker_exit_signal, Tag, self(), From, Reason},
            exit(Reason);
        _ -> worker_loop(Sink, Tag)
    end.

%% A BEAM supervisor's child start function for a child on the TS node: spawn_link there,
%% as supervisor start functions must return a pid linked to the supervisor.
ts_child(Node, M, F, A) ->
    {ok, spawn_link(Node, M, F, A)}.

%% ---------------------------------------------------------------- helpers

%% A process that traps exits, links to (or monitors) Target (or neither, with `none`), and keeps
%% what it gets in sink Name (dist_peer:msgs/1 reads it).
trapper(Name, none) ->
    trapper(Name, {none, none});
trapper(Name, {How, Target}) ->
    Parent = self(),
    Pid = spawn(fun() ->
                        register(Name, self()),
                        process_flag(trap_exit, true),
                        R = case How of
                                link -> link(Target), linked;
                                monitor -> erlang:monitor(process, Target);
                                none -> none
                            end,
                        Parent ! {trapper_up, self(), R},
                        dist_peer:sink([])
                end),
    receive {trapper_up, Pid, R} -> {Pid, R} end.

%% Runs io:format in a fresh process whose group leader is GL, and returns what io:format returned.
io(GL, Text) ->
    Self = self(),
    P = spawn(fun() ->
                      group_leader(GL, self()),
                      R = io:format("~s ~p~n", [Text, {from, node()}]),
                      Self ! {io_done, self(), R}
              end),
    receive {io_done, P, R} -> R after 10000 -> io_timeout end.

%% Collects N messages sent to the calling process (or what came in Ms).
collect(N, Ms) ->
    collect(N, Ms, []).
collect(0, _Ms, Acc) -> lists:reverse(Acc);
collect(N, Ms, Acc) ->
    receive M -> collect(N - 1, Ms, [M | Acc]) after Ms -> lists:reverse(Acc) end.

%% Spawn on Node with the given spawn_opt options from a trapping process kept in sink Name.
spawner(Name, Node, {M, F, A, Opts}) ->
    Parent = self(),
    Pid = spawn(fun() ->
                        register(Name, self()),
                        process_flag(trap_exit, true),
                        R = erlang:spawn_opt(Node, M, F, A, Opts),
                        Parent ! {spawner_up, self(), R},
                        dist_peer:sink([])
                end),
    receive {spawner_up, Pid, R} -> {Pid, R} end.
