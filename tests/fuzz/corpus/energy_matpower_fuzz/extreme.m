mpc.baseMVA = 100;
mpc.bus = [ 1 3 0 0 0 0 1 1 0 1 1 1.1 0.9;
 2 1 9e9 9e9 0 0 1 1 0 1 1 1.1 0.9 ];
mpc.gen = [1 0 0 Inf -Inf 1 100 1 0 0];
mpc.branch = [1 2 0 1e-9 0 0 0 0 0 0 1 0 0 ...
];
