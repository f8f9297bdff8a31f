package app

import (
	"github.com/cosmos/cosmos-sdk/baseapp"
	"github.com/cosmos/cosmos-sdk/types/module"
)

// newSimulationManager lists, for the SDK's simulation (the sim tests in
// this package, `make sim-*`), every module that implements it: random
// genesis, store decoders and weighted operations. The standard modules
// come as the SDK ships them; the three Flashback modules implement it in
// their module_simulation.go. It costs nothing at run time: nothing outside
// the simulation reads it.
func newSimulationManager(mm *module.Manager) *module.SimulationManager {
	sm := module.NewSimulationManagerFromAppModules(mm.Modules, nil)
	sm.RegisterStoreDecoders()
	return sm
}

// SimulationManager returns the simulation manager.
func (app *App) SimulationManager() *module.SimulationManager { return app.sm }

// GetBaseApp returns the BaseApp (the simulation drives blocks through it).
func (app *App) GetBaseApp() *baseapp.BaseApp { return app.BaseApp }
