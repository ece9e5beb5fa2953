//registers to the onConnectionStateChanged event
OzWebClient.onConnectionStateChanged(connectionStateChanged); 
//connects to the Ozeki Phone System 
OzWebClient.connect("localhost", "myGeneratedSecurityToken"); 

function connectionStateChanged(state) {
   console.log(state); //shows the state of the connection on the console log
}
