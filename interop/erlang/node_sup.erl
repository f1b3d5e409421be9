%% node_sup: a BEAM supervisor whose children run on the TS node (one_for_one), for
%% test/interop/erlang/node-otp.test.ts. Children: {Id, ChildStart, Restart, Shutdown}.
-module(node_sup).
-behaviour(supervisor).
-export([start/3, init/1]).

%% Started unlinked (from a dist_peer eval process that ends) and registered as Name.
start(Name, Intensity, Children) ->
    Parent = self(),
    Pid = spawn(fun() ->
                        {ok, S} = supervisor:start_link({local, Name}, ?MODULE, {Intensity, Children}),
                        Parent ! {sup_up, S},
                        receive stop -> ok end
                end),
    receive {sup_up, S} -> {ok, S, Pid} after 10000 -> {error, timeout} end.

init({Intensity, Children}) ->
    Specs = [#{id => Id, start => {node_peer, ts_child, Start}, restart => Restart, shutdown => Shutdown, type => worker}
             || {Id, Start, Restart, Shutdown} <- Children],
    {ok, {#{strategy => one_for_one, intensity => Intensity, period => 10}, Specs}}.
