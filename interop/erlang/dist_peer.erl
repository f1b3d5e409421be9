%% dist_peer: a BEAM node the distribution tests drive over stdin/stdout.
%%
%% Each stdin line is "Id Expr." (an Erlang expression on one line). It is evaluated in a
%% process of its own, and the answer is printed as one line
%%   @@Id <base64 of term_to_binary({ok, Value} | {error, Class, Reason})>
%% Everything else on stdout (logger reports, io:format) is the node's log. Helpers below give
%% the tests processes to send to, collect from, link with and monitor.
-module(dist_peer).
-export([main/0, reader/0, sink/1, start_sink/1, msgs/1, wait_msgs/3, alias_sink/1,
         linker/2, monitorer/2, spawned/1, stay/0, echo/0, call_loop/0, do/2, lit/1,
         count/2, blast/3]).

main() ->
    ets:new(dist_peer, [named_table, public, set]),
    spawn(fun reader/0),
    io:format("@@ready ~s~n", [node()]).

reader() ->
    case io:get_line(standard_io, "") of
        eof -> erlang:halt(0);
        {error, _} -> erlang:halt(0);
        Line ->
            spawn(fun() -> run(string:trim(Line)) end),
            reader()
    end.

run(Line) ->
    {Id, Text} = string:take(Line, "0123456789"),
    Result =
        try
            {ok, Toks, _} = erl_scan:string(string:trim(Text)),
            {ok, Exprs} = erl_parse:parse_exprs(Toks),
            {value, V, _} = erl_eval:exprs(Exprs, erl_eval:new_bindings()),
            {ok, V}
        catch
            Class:Reason -> {error, Class, Reason}
        end,
    Bin = term_to_binary(Result, [{minor_version, 2}]),
    io:format("@@~s ~s~n", [Id, base64:encode(Bin)]).

%% A registered process that keeps what it receives.
start_sink(Name) ->
    Parent = self(),
    Pid = spawn(fun() -> register(Name, self()), Parent ! {sink_up, self()}, sink([]) end),
    receive {sink_up, Pid} -> Pid end.

sink(Acc) ->
    receive
        {'$dist_peer_get', From} -> From ! {'$dist_peer_msgs', lists:reverse(Acc)}, sink(Acc);
        {'$dist_peer_apply', F} -> F(), sink(Acc);
        M -> sink([M | Acc])
    end.

msgs(Name) ->
    Name ! {'$dist_peer_get', self()},
    receive {'$dist_peer_msgs', L} -> L after 5000 -> timeout end.

%% The messages of sink Name once it has at least N of them (or what it has after Timeout ms).
wait_msgs(Name, N, Timeout) ->
    Deadline = erlang:monotonic_time(millisecond) + Timeout,
    wait_msgs_loop(Name, N, Deadline).
wait_msgs_loop(Name, N, Deadline) ->
    L = msgs(Name),
    case length(L) >= N orelse erlang:monotonic_time(millisecond) > Deadline of
        true -> L;
        false -> timer:sleep(20), wait_msgs_loop(Name, N, Deadline)
    end.

%% A sink reached through an alias: returns {Pid, Alias}; its messages are msgs(Name).
alias_sink(Name) ->
    Parent = self(),
    Pid = spawn(fun() ->
                        register(Name, self()),
                        A = alias(),
                        Parent ! {alias_up, self(), A},
                        sink([])
                end),
    receive {alias_up, Pid, A} -> {Pid, A} end.

%% A registered process that links to Target, then does what it is told:
%% {unlink}, {exit, Reason}, {exit2, Target, Reason}.
linker(Name, Target) ->
    Parent = self(),
    Pid = spawn(fun() ->
                        register(Name, self()),
                        process_flag(trap_exit, true),
                        link(Target),
                        Parent ! {linker_up, self()},
                        linker_loop([])
                end),
    receive {linker_up, Pid} -> Pid end.

linker_loop(Acc) ->
    receive
        {'$dist_peer_get', From} -> From ! {'$dist_peer_msgs', lists:reverse(Acc)}, linker_loop(Acc);
        {'$dist_peer_apply', F} -> F(), linker_loop(Acc);
        {unlink, T} -> unlink(T), linker_loop(Acc);
        {link, T} -> link(T), linker_loop(Acc);
        {exit, Reason} -> exit(Reason);
        {exit2, T, Reason} -> exit(T, Reason), linker_loop(Acc);
        M -> linker_loop([M | Acc])
    end.

%% A registered process that monitors Target (a pid or {Name, Node}) and keeps the DOWNs.
monitorer(Name, Target) ->
    Parent = self(),
    Pid = spawn(fun() ->
                        register(Name, self()),
                        Ref = erlang:monitor(process, Target),
                        Parent ! {monitorer_up, self(), Ref},
                        sink([])
                end),
    receive {monitorer_up, Pid, Ref} -> {Pid, Ref} end.

%% Spawned from the TS side: waits for stop | {stop, Reason}, or dies after Ms.
spawned(Ms) ->
    receive
        stop -> ok;
        {stop, Reason} -> exit(Reason)
    after Ms -> ok
    end.

%% A term the test wrote as base64 ETF.
lit(B64) ->
    binary_to_term(base64:decode(B64)).

stay() ->
    receive stop -> ok end.

%% Run F inside process Name (registered by start_sink, alias_sink, linker or monitorer).
do(Name, F) ->
    Name ! {'$dist_peer_apply', F},
    ok.

%% Sends back whatever {From, Msg} it gets, as Msg.
echo() ->
    receive
        {From, Msg} -> From ! Msg, echo();
        _ -> echo()
    end.

%% Receive N messages (the first starts the clock), then tell ReportTo how long they took (us).
count(N, ReportTo) ->
    receive _ -> ok end,
    T = erlang:monotonic_time(microsecond),
    count_loop(N - 1),
    ReportTo ! {counted, N, erlang:monotonic_time(microsecond) - T}.
count_loop(0) -> ok;
count_loop(N) -> receive _ -> count_loop(N - 1) end.

%% Send Msg to To, N times.
blast(_To, 0, _Msg) -> ok;
blast(To, N, Msg) -> To ! Msg, blast(To, N - 1, Msg).

%% A gen_server-like loop: {'$gen_call', {From, Tag}, Req} answered with {Tag, {echo, Req}}.
call_loop() ->
    receive
        {'$gen_call', From, Req} -> gen:reply(From, {echo, Req}), call_loop();
        _ -> call_loop()
    end.
